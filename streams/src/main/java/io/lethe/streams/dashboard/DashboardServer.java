package io.lethe.streams.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard: the page and its assets from the classpath (the charting library is bundled
 * into the jar at build time), and {@code /events}, a server-sent-event stream of the feed. Built on
 * the JDK's HTTP server; each open page holds one thread.
 */
public final class DashboardServer implements AutoCloseable {

    /** Classpath folder of the page and its assets; the build adds the charting library here. */
    static final String ASSETS = "io/lethe/dashboard/";
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "md", "text/plain; charset=utf-8");
    private static final long HEARTBEAT_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final DashboardFeed feed;

    private DashboardServer(HttpServer server, ExecutorService executor, DashboardFeed feed) {
        this.server = server;
        this.executor = executor;
        this.feed = feed;
    }

    /**
     * Starts the feed and the server on {@code bindAddress}:{@code port} (0: any free port). A taken
     * port falls back to a free one and says so: a second instance on one host should not fail for
     * its dashboard.
     */
    public static DashboardServer start(String bootstrapServers, String bindAddress, int port) throws IOException {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
        } catch (BindException e) {
            http = HttpServer.create(new InetSocketAddress(bindAddress, 0), 64);
            LOG.warn("dashboard port {} is taken; using {} instead", port, http.getAddress().getPort());
        }
        ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread t = new Thread(runnable, "lethe-dashboard-http");
            t.setDaemon(true);
            return t;
        });
        DashboardFeed feed = new DashboardFeed(bootstrapServers, 50_000).start();
        DashboardServer dashboard = new DashboardServer(http, executor, feed);
        http.createContext("/", dashboard::serveAsset);
        http.createContext("/events", dashboard::serveEvents);
        http.setExecutor(executor);
        http.start();
        return dashboard;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        InetSocketAddress address = server.getAddress();
        boolean local = address.getAddress().isAnyLocalAddress() || address.getAddress().isLoopbackAddress();
        return "http://" + (local ? "localhost" : address.getHostString()) + ":" + port() + "/";
    }

    public DashboardFeed feed() {
        return feed;
    }

    private void serveAsset(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String name = path.equals("/") ? "index.html" : path.substring(1);
            if (!"GET".equals(exchange.getRequestMethod()) || !name.matches("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?")) {
                send(exchange, 404, "text/plain; charset=utf-8", ("not found: " + path).getBytes(StandardCharsets.UTF_8));
                return;
            }
            try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(ASSETS + name)) {
                if (in == null) {
                    send(exchange, 404, "text/plain; charset=utf-8", ("not found: " + path).getBytes(StandardCharsets.UTF_8));
                    return;
                }
                String extension = name.substring(name.lastIndexOf('.') + 1);
                send(exchange, 200, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"), in.readAllBytes());
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /**
     * One page's event stream: a {@code reset} (the page clears what an earlier connection drew),
     * the history, then live events, with a comment line as heartbeat so a closed page is noticed.
     */
    private void serveEvents(HttpExchange exchange) throws IOException {
        BlockingQueue<DashboardEvents.Event> queue = feed.subscribe();
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("retry: 2000\nevent: reset\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            List<DashboardEvents.Event> batch = new ArrayList<>();
            while (!Thread.currentThread().isInterrupted()) {
                DashboardEvents.Event first = queue.poll(HEARTBEAT_MS, TimeUnit.MILLISECONDS);
                StringBuilder chunk = new StringBuilder(first == null ? ": heartbeat\n\n" : "");
                if (first != null) {
                    // Whatever else is queued goes out in the same write: a page joining late gets the history at once.
                    batch.clear();
                    batch.add(first);
                    queue.drainTo(batch, 499);
                    batch.forEach(e -> chunk.append("event: ").append(e.type()).append("\ndata: ").append(e.json())
                            .append("\n\n"));
                }
                out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the page went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            feed.unsubscribe(queue);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        feed.close();
    }
}
