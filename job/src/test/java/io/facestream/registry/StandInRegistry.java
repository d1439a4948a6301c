package io.facestream.registry;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A schema registry for unit tests: a loopback server that answers {@code GET /schemas/ids/<id>}
 * from a fixed map, 404 with the registry's error body for other ids, and counts the lookups.
 * SchemaRegistryIT covers the real thing (Apicurio Registry).
 */
public final class StandInRegistry implements AutoCloseable {

    private final Map<Integer, String> schemas;
    private final Map<Integer, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private final HttpServer server;

    /** Serves {@code schemas}, schema texts by id. */
    public StandInRegistry(Map<Integer, String> schemas) throws IOException {
        this.schemas = Map.copyOf(schemas);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/schemas/ids/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int id = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            lookups.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
            JsonObject body = new JsonObject();
            int status;
            if (this.schemas.containsKey(id)) {
                status = 200;
                body.addProperty("schema", this.schemas.get(id));
            } else {
                status = 404;
                body.addProperty("error_code", 40403);
                body.addProperty("message", "Schema " + id + " not found");
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How often the schema with {@code id} was asked for. */
    public int lookups(int id) {
        AtomicInteger count = lookups.get(id);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
