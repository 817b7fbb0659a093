package io.lethe.streams.app;

import static io.lethe.streams.TestData.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lethe.streams.LetheConfig;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** What Kafka Streams is given: Lethe's choices, and {@code streams.<name>} settings over them. */
class StreamsPropertiesTest {

    @Test
    void streamsSettingsArePassedThroughAndWinOverLethesChoices() {
        Properties defaults = LetheApplication.streamsProperties(LetheConfig.from(new Properties()));
        assertEquals(1, defaults.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, defaults.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));

        Properties given = LetheApplication.streamsProperties(LetheConfig.from(settings(
                "streams.num.stream.threads", "2", "streams.consumer.session.timeout.ms", "10000")));
        assertEquals("2", given.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        assertEquals("10000", given.get("consumer.session.timeout.ms"));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, given.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }

    @Test
    void theProcessingGuaranteeCannotBeWeakened() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LetheConfig.from(settings("streams.processing.guarantee", "at_least_once")));
        assertTrue(e.getMessage().contains("streams.processing.guarantee must stay exactly_once_v2"), e.getMessage());
        Properties stated = LetheApplication.streamsProperties(LetheConfig.from(
                settings("streams.processing.guarantee", "exactly_once_v2")));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, stated.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }
}
