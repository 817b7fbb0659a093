package io.lethe.tools.audit;

import io.lethe.broker.EmbeddedKafkaBroker;
import io.lethe.schemas.CopyAttestation;
import io.lethe.schemas.ErasureScope;
import io.lethe.streams.LetheConfig;
import io.lethe.streams.PrivacySettings;
import io.lethe.streams.privacy.KeyEncryptionKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The {@code lethe audit} and {@code lethe kek} commands: argument handling, console output, exit codes. */
public final class Audit {

    private Audit() {
    }

    /**
     * Audits a subject or a request against the configured cluster, or, with none, the embedded
     * default's state (its broker started on the state folder: Lethe must be stopped). Returns the exit
     * code: 0 when nothing readable remains, 1 when something does, 2 on bad arguments.
     */
    public static int run(LetheConfig config, String subject, String request, PrintStream out) throws Exception {
        if ((subject == null) == (request == null)) {
            out.println("lethe audit: give exactly one of --subject S or --request R");
            return 2;
        }
        if (config.embeddedBroker() && !config.privacy().hasKek()) {
            Path file = config.stateDir().resolve(PrivacySettings.EMBEDDED_KEK_FILE);
            if (Files.exists(file)) { // the embedded default's own key; never created here
                config = config.withPrivacy(config.privacy().withKekFile(file));
            }
        }
        EmbeddedKafkaBroker broker = null;
        String bootstrap = config.bootstrapServers();
        if (config.embeddedBroker()) {
            Path logs = config.stateDir().resolve("embedded-kafka");
            if (!Files.isDirectory(logs)) {
                out.println("lethe audit: no embedded broker data under " + logs + " (give bootstrap.servers for a cluster)");
                return 2;
            }
            try {
                broker = EmbeddedKafkaBroker.start(logs, false);
            } catch (IOException | RuntimeException e) {
                out.println("lethe audit: cannot open the embedded broker's data (is Lethe still running? stop it, or give"
                        + " -Dbootstrap.servers of the running broker): " + e.getMessage());
                return 2;
            }
            bootstrap = broker.bootstrapServers();
        }
        try {
            ErasureAudit audit = new ErasureAudit(config, bootstrap);
            if (request != null) {
                ErasureAudit.RequestView view = audit.request(request);
                if (view.receipt() == null) {
                    out.println("no receipt for request " + request + " from model " + config.modelName() + " yet");
                } else {
                    out.printf("receipt %s: %s, model version %s, %d examples removed%n", request, view.receipt().getStatus(),
                            view.receipt().getModelVersion(), view.receipt().getExamplesRemoved());
                    for (CopyAttestation copy : view.receipt().getCopies()) {
                        out.printf("  attested  %-48s %-16s %6d  readable after: %-5s %s%n", copy.getCopy(), copy.getAction(),
                                copy.getCount(), copy.getReadableAfter() == null ? "-" : copy.getReadableAfter(), copy.getDetail());
                    }
                }
                if (view.request() == null || view.request().getScope() != ErasureScope.SUBJECT) {
                    out.println(view.request() == null
                            ? "the request itself is no longer in lethe.erasures (purged), so its subject is not known"
                                    + " here: audit the subject with --subject"
                            : "a " + view.request().getScope() + " erasure: audit each subject concerned with --subject");
                    return view.receipt() == null ? 1 : 0;
                }
                subject = view.request().getSubjectId();
            }
            out.println("auditing subject " + subject + " (model " + config.modelName() + ", application "
                    + config.applicationId() + ", " + bootstrap + ", state " + config.stateDir() + ") ...");
            ErasureAudit.Report report = audit.subject(subject);
            ErasureAudit.print(report, out);
            return report.readable() == 0 ? 0 : 1;
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** {@code lethe kek --new FILE}. */
    public static int newKek(List<String> args, PrintStream out) {
        if (args.size() != 2 || !args.get(0).equals("--new")) {
            out.println("usage: lethe kek --new FILE");
            return 2;
        }
        Path file = Path.of(args.get(1));
        try {
            KeyEncryptionKey.createFile(file);
        } catch (IOException e) {
            out.println("lethe kek: " + e.getMessage());
            return 1;
        }
        out.println("created " + file.toAbsolutePath() + " (fingerprint " + KeyEncryptionKey.fromFile(file).fingerprint()
                + "); give it with -Dlethe.kek.file=" + file + " and keep a copy: without it, Lethe's state cannot be read");
        return 0;
    }
}
