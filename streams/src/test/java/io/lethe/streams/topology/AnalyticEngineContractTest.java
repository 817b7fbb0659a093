package io.lethe.streams.topology;

/** The exact analytic engine passes the engine contract. */
class AnalyticEngineContractTest extends LearningEngineContract {

    @Override
    protected String[] settings() {
        return new String[0];
    }
}
