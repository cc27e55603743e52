package io.jlb.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP), for tests of real lookups: answers A, AAAA and SRV queries
 * from records the test sets and changes at will; an unknown name is NXDOMAIN. RFC 1035 wire format, no
 * compression beyond the question pointer, no TCP (answers stay far below 512 bytes).
 */
public final class TestDnsServer implements AutoCloseable {
    private static final int A = 1;
    private static final int AAAA = 28;
    private static final int SRV = 33;

    private final DatagramSocket socket;
    private final Map<String, List<InetAddress>> addresses = new ConcurrentHashMap<>();
    private final Map<String, List<String>> services = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();

    public TestDnsServer() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "test-dns");
        t.setDaemon(true);
        t.start();
    }

    /** {@code host:port} of this server. */
    public String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Sets the A/AAAA records of {@code name} (literal addresses); none makes it unknown (NXDOMAIN). */
    public TestDnsServer addresses(String name, String... literals) {
        List<InetAddress> list = new ArrayList<>();
        for (String l : literals) {
            try {
                list.add(InetAddress.getByName(l));
            } catch (IOException e) {
                throw new IllegalArgumentException(l, e);
            }
        }
        set(addresses, name, list);
        return this;
    }

    /** Sets the SRV records of {@code name}, each {@code "priority weight port target"}. */
    public TestDnsServer services(String name, String... records) {
        set(services, name, List.of(records));
        return this;
    }

    /** Queries answered so far. */
    public int queries() {
        return queries.get();
    }

    private static <T> void set(Map<String, List<T>> map, String name, List<T> values) {
        String key = name.toLowerCase(Locale.ROOT);
        if (values.isEmpty()) {
            map.remove(key);
        } else {
            map.put(key, List.copyOf(values));
        }
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                byte[] reply = answer(ByteBuffer.wrap(query.getData(), 0, query.getLength()));
                socket.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
                queries.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(ByteBuffer q) {
        int id = q.getShort() & 0xffff;
        int flags = q.getShort() & 0xffff;
        q.position(12);
        int questionStart = q.position();
        StringBuilder name = new StringBuilder();
        for (int len = q.get() & 0xff; len > 0; len = q.get() & 0xff) {
            byte[] label = new byte[len];
            q.get(label);
            name.append(name.length() == 0 ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = q.getShort() & 0xffff;
        q.getShort(); // class
        int questionEnd = q.position();
        String key = name.toString().toLowerCase(Locale.ROOT);
        boolean known = addresses.containsKey(key) || services.containsKey(key);
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        int count = 0;
        if (type == A || type == AAAA) {
            for (InetAddress a : addresses.getOrDefault(key, List.of())) {
                byte[] raw = a.getAddress();
                if ((type == A) == (raw.length == 4)) {
                    record(answers, type, raw);
                    count++;
                }
            }
        } else if (type == SRV) {
            for (String s : services.getOrDefault(key, List.of())) {
                String[] f = s.split(" ");
                ByteArrayOutputStream rdata = new ByteArrayOutputStream();
                writeShort(rdata, Integer.parseInt(f[0]));
                writeShort(rdata, Integer.parseInt(f[1]));
                writeShort(rdata, Integer.parseInt(f[2]));
                for (String label : f[3].split("\\.")) {
                    rdata.write(label.length());
                    rdata.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
                }
                rdata.write(0);
                record(answers, SRV, rdata.toByteArray());
                count++;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeShort(out, id);
        writeShort(out, 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | (known ? 0 : 3)); // QR AA RD RA, rcode
        writeShort(out, 1);
        writeShort(out, count);
        writeShort(out, 0);
        writeShort(out, 0);
        out.write(q.array(), q.arrayOffset() + questionStart, questionEnd - questionStart);
        out.writeBytes(answers.toByteArray());
        return out.toByteArray();
    }

    private static void record(ByteArrayOutputStream out, int type, byte[] rdata) {
        writeShort(out, 0xc00c); // the name: a pointer to the question's
        writeShort(out, type);
        writeShort(out, 1); // IN
        writeShort(out, 0);
        writeShort(out, 1); // TTL 1 s
        writeShort(out, rdata.length);
        out.writeBytes(rdata);
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v & 0xff);
    }

    @Override
    public void close() {
        socket.close();
    }
}
