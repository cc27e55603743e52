package io.jlb.http.internal;

import java.nio.ByteBuffer;

/**
 * Parses an HTTP/1.x request or response head (RFC 9112) incrementally: call {@link #parse} whenever more bytes
 * arrived; it resumes where it stopped, at any byte, and answers {@link Result#NEED_MORE}, {@link Result#COMPLETE}
 * (the head is in {@link #head()}) or {@link Result#ERROR} (with {@link #errorStatus()} and
 * {@link #errorReason()}).
 *
 * <p>The parser works line by line over the bytes that stay in the caller's buffer, in two states: the start line,
 * then header fields until the empty line. It is strict where a lenient reading lets a proxy and its backend
 * disagree about where a message ends (request smuggling): lines end in CRLF only (a bare CR or LF is an error),
 * no obs-fold, no whitespace before a colon, names are tokens, values have no control characters, Content-Length
 * values all agree and Transfer-Encoding is exactly {@code chunked} and never beside Content-Length, HTTP/1.1
 * requests carry exactly one Host. Limits on the start line, the head's size and the field count are charged as
 * bytes arrive, before a line is complete.
 */
public final class HeadParser {
    /** What {@link #parse} found. */
    public enum Result { NEED_MORE, COMPLETE, ERROR }

    private enum State { START_LINE, FIELDS, DONE }

    private static final byte[] HOST = Ascii.bytes("host");
    private static final byte[] CONTENT_LENGTH = Ascii.bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.bytes("transfer-encoding");
    private static final byte[] CONNECTION = Ascii.bytes("connection");
    private static final byte[] UPGRADE = Ascii.bytes("upgrade");
    private static final byte[] EXPECT = Ascii.bytes("expect");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("keep-alive");
    private static final byte[] PROXY_CONNECTION = Ascii.bytes("proxy-connection");
    private static final byte[] TE = Ascii.bytes("te");
    private static final byte[] TRAILER = Ascii.bytes("trailer");
    private static final byte[] HTTP2_SETTINGS = Ascii.bytes("http2-settings");
    private static final byte[] CHUNKED = Ascii.bytes("chunked");
    private static final byte[] CLOSE = Ascii.bytes("close");
    private static final byte[] CONTINUE = Ascii.bytes("100-continue");
    private static final byte[] HTTP_SLASH = Ascii.bytes("http/");
    private static final byte[] HTTP_SCHEME = Ascii.bytes("http://");
    private static final byte[] HTTPS_SCHEME = Ascii.bytes("https://");
    private static final int MAX_LEADING_EMPTY_LINES = 4;
    /**
     * Fields a Connection option may not remove: they frame or route the message, or the proxy writes them itself.
     * A client naming them there gets them ignored, never a message the backend reads otherwise.
     */
    private static final byte[][] PROTECTED = {CONTENT_LENGTH, TRANSFER_ENCODING, HOST, CONNECTION, UPGRADE, TE,
        TRAILER, KEEP_ALIVE, PROXY_CONNECTION, Ascii.bytes("x-forwarded-for"), Ascii.bytes("x-forwarded-proto"),
        Ascii.bytes("x-forwarded-host"), Ascii.bytes("forwarded"), Ascii.bytes("via"), Ascii.bytes("x-real-ip")};

    private final boolean request;
    private final int maxStartLine;
    private final int maxHeadBytes;
    private final int maxFields;
    private final HttpHead head = new HttpHead();
    private State state = State.DONE;
    private int scan;
    private int lineStart;
    private int emptyLines;
    private int connectionFields;
    private int[] connectionIndex = new int[4];
    private int transferCodings;
    private boolean chunkedLast;
    private int chunkedSeen;
    private int errorStatus;
    private String errorReason;

    /**
     * A parser of requests ({@code request} true) or responses, with limits on the start line, the whole head and
     * the number of fields.
     */
    public HeadParser(boolean request, int maxStartLine, int maxHeadBytes, int maxFields) {
        this.request = request;
        this.maxStartLine = maxStartLine;
        this.maxHeadBytes = maxHeadBytes;
        this.maxFields = maxFields;
    }

    /** Starts a new head whose first byte is (or will be) at {@code start} of {@code buffer}. */
    public void begin(ByteBuffer buffer, int start) {
        head.reset(buffer, request, start);
        state = State.START_LINE;
        scan = start;
        lineStart = start;
        emptyLines = 0;
        connectionFields = 0;
        transferCodings = 0;
        chunkedLast = false;
        chunkedSeen = 0;
        errorStatus = 0;
        errorReason = null;
    }

    /** The head being parsed (complete after {@link Result#COMPLETE}). */
    public HttpHead head() {
        return head;
    }

    /** The status to answer an erroneous request with (400, 414, 431, 501, 505); 502 for responses. */
    public int errorStatus() {
        return errorStatus;
    }

    /** What was wrong. */
    public String errorReason() {
        return errorReason;
    }

    /** Whether a head was begun and has not completed or failed. */
    public boolean inProgress() {
        return state == State.START_LINE || state == State.FIELDS;
    }

    /** Whether any byte of the current head has arrived (for telling an idle connection from a slow client). */
    public boolean started(int end) {
        return end > head.start;
    }

    /** Continues parsing the bytes of the buffer up to {@code end} (exclusive). */
    public Result parse(int end) {
        ByteBuffer buf = head.buffer;
        while (true) {
            int lf = Ascii.indexOf(buf, scan, end, (byte) '\n');
            if (lf < 0) {
                scan = end;
                if (state == State.START_LINE && end - lineStart > maxStartLine) {
                    return request ? fail(414, "request line longer than " + maxStartLine + " bytes")
                            : fail(502, "status line too long");
                }
                if (end - head.start > maxHeadBytes) {
                    return fail(request ? 431 : 502, "head larger than " + maxHeadBytes + " bytes");
                }
                return Result.NEED_MORE;
            }
            if (lf == lineStart || buf.get(lf - 1) != '\r') {
                return fail(request ? 400 : 502, "line ends in a bare LF");
            }
            int contentEnd = lf - 1;
            scan = lf + 1;
            if (state == State.START_LINE) {
                if (contentEnd == lineStart) {
                    if (!request || ++emptyLines > MAX_LEADING_EMPTY_LINES) {
                        return fail(request ? 400 : 502, "empty start line");
                    }
                    head.start = scan;
                    lineStart = scan;
                    continue;
                }
                if (contentEnd - lineStart > maxStartLine) {
                    return request ? fail(414, "request line longer than " + maxStartLine + " bytes")
                            : fail(502, "status line too long");
                }
                Result r = request ? requestLine(lineStart, contentEnd) : statusLine(lineStart, contentEnd);
                if (r == Result.ERROR) {
                    return r;
                }
                head.startLineEnd = scan;
                state = State.FIELDS;
            } else {
                if (scan - head.start > maxHeadBytes) {
                    return fail(request ? 431 : 502, "head larger than " + maxHeadBytes + " bytes");
                }
                if (contentEnd == lineStart) {
                    head.end = scan;
                    state = State.DONE;
                    return finish();
                }
                if (head.count >= maxFields) {
                    return fail(request ? 431 : 502, "more than " + maxFields + " header fields");
                }
                if (field(lineStart, contentEnd, scan) == Result.ERROR) {
                    return Result.ERROR;
                }
            }
            lineStart = scan;
        }
    }

    private Result fail(int status, String reason) {
        state = State.DONE;
        errorStatus = status;
        errorReason = reason;
        return Result.ERROR;
    }

    // ---- start lines ----

    private Result requestLine(int from, int to) {
        ByteBuffer b = head.buffer;
        int i = from;
        while (i < to && Ascii.tchar(b.get(i))) {
            i++;
        }
        if (i == from || i == to || b.get(i) != ' ') {
            return fail(400, "malformed method");
        }
        head.methodStart = from;
        head.methodEnd = i;
        head.method = method(b, from, i);
        int t = ++i;
        while (i < to && b.get(i) != ' ') {
            if (!Ascii.targetChar(b.get(i)) || b.get(i) == '#') {
                return fail(400, "invalid character in request target");
            }
            i++;
        }
        if (i == t || i == to) {
            return fail(400, "malformed request target");
        }
        head.targetStart = t;
        head.targetEnd = i;
        if (version(i + 1, to) == Result.ERROR) {
            return Result.ERROR;
        }
        return target(t, i);
    }

    private Result target(int from, int to) {
        ByteBuffer b = head.buffer;
        byte first = b.get(from);
        int pathFrom;
        if (first == '/') {
            pathFrom = from;
        } else if (first == '*' && to - from == 1) {
            if (head.method != HttpHead.Method.OPTIONS) {
                return fail(400, "asterisk target outside OPTIONS");
            }
            head.pathStart = head.pathEnd = from;
            return Result.COMPLETE;
        } else if (Ascii.startsWithIgnoreCase(b, from, to, HTTP_SCHEME) || Ascii.startsWithIgnoreCase(b, from, to, HTTPS_SCHEME)) {
            int authority = Ascii.indexOf(b, from, to, (byte) ':') + 3;
            int slash = authority;
            while (slash < to && b.get(slash) != '/' && b.get(slash) != '?') {
                slash++;
            }
            if (slash == authority) {
                return fail(400, "absolute target without a host");
            }
            if (!validHost(b, authority, slash)) {
                return fail(400, "invalid authority in the request target");
            }
            head.authorityStart = authority;
            head.authorityEnd = slash;
            pathFrom = slash;
        } else if (head.method == HttpHead.Method.CONNECT) {
            head.pathStart = head.pathEnd = from;
            return Result.COMPLETE;
        } else {
            return fail(400, "request target is not in origin or absolute form");
        }
        int q = Ascii.indexOf(b, pathFrom, to, (byte) '?');
        head.pathStart = pathFrom;
        head.pathEnd = q < 0 ? to : q;
        return Result.COMPLETE;
    }

    /** {@code HTTP/d.d} from {@code from} to exactly {@code to}. */
    private Result version(int from, int to) {
        ByteBuffer b = head.buffer;
        if (to - from != 8 || !Ascii.startsWithIgnoreCase(b, from, to, HTTP_SLASH) || b.get(from) != 'H'
                || b.get(from + 1) != 'T' || b.get(from + 2) != 'T' || b.get(from + 3) != 'P' || b.get(from + 6) != '.') {
            return fail(request ? 400 : 502, "malformed HTTP version");
        }
        int major = b.get(from + 5) - '0';
        int minor = b.get(from + 7) - '0';
        if (major < 0 || major > 9 || minor < 0 || minor > 9) {
            return fail(request ? 400 : 502, "malformed HTTP version");
        }
        if (major != 1) {
            return fail(request ? 505 : 502, "HTTP version " + major + "." + minor + " not supported");
        }
        head.minorVersion = Math.min(minor, 1);
        return Result.COMPLETE;
    }

    private Result statusLine(int from, int to) {
        ByteBuffer b = head.buffer;
        if (to - from < 12 || b.get(from + 8) != ' ') {
            return fail(502, "malformed status line");
        }
        if (version(from, from + 8) == Result.ERROR) {
            return Result.ERROR;
        }
        int status = 0;
        for (int i = from + 9; i < from + 12; i++) {
            int d = b.get(i) - '0';
            if (d < 0 || d > 9) {
                return fail(502, "malformed status code");
            }
            status = status * 10 + d;
        }
        if (status < 100) {
            return fail(502, "status code below 100");
        }
        head.status = status;
        int reason = from + 12;
        if (reason < to && b.get(reason) != ' ') {
            return fail(502, "malformed status line");
        }
        reason = Math.min(reason + 1, to);
        for (int i = reason; i < to; i++) {
            if (!Ascii.fieldChar(b.get(i))) {
                return fail(502, "control character in reason phrase");
            }
        }
        head.reasonStart = reason;
        head.reasonEnd = to;
        return Result.COMPLETE;
    }

    private static HttpHead.Method method(ByteBuffer b, int from, int to) {
        int len = to - from;
        byte c = b.get(from);
        switch (len) {
            case 3:
                if (c == 'G' && b.get(from + 1) == 'E' && b.get(from + 2) == 'T') {
                    return HttpHead.Method.GET;
                }
                if (c == 'P' && b.get(from + 1) == 'U' && b.get(from + 2) == 'T') {
                    return HttpHead.Method.PUT;
                }
                break;
            case 4:
                if (is(b, from, "HEAD")) {
                    return HttpHead.Method.HEAD;
                }
                if (is(b, from, "POST")) {
                    return HttpHead.Method.POST;
                }
                break;
            case 5:
                if (is(b, from, "PATCH")) {
                    return HttpHead.Method.PATCH;
                }
                if (is(b, from, "TRACE")) {
                    return HttpHead.Method.TRACE;
                }
                break;
            case 6:
                if (is(b, from, "DELETE")) {
                    return HttpHead.Method.DELETE;
                }
                break;
            case 7:
                if (is(b, from, "OPTIONS")) {
                    return HttpHead.Method.OPTIONS;
                }
                if (is(b, from, "CONNECT")) {
                    return HttpHead.Method.CONNECT;
                }
                break;
            default:
                break;
        }
        return HttpHead.Method.OTHER;
    }

    private static boolean is(ByteBuffer b, int from, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (b.get(from + i) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // ---- fields ----

    private Result field(int from, int to, int lineStop) {
        ByteBuffer b = head.buffer;
        byte first = b.get(from);
        if (first == ' ' || first == '\t') {
            return fail(request ? 400 : 502, "obsolete line folding");
        }
        int i = from;
        while (i < to && Ascii.tchar(b.get(i))) {
            i++;
        }
        if (i == to || b.get(i) != ':') {
            return fail(request ? 400 : 502, i < to && (b.get(i) == ' ' || b.get(i) == '\t')
                    ? "whitespace before a colon" : "malformed header field name");
        }
        if (i == from) {
            return fail(request ? 400 : 502, "empty header field name");
        }
        int nameStop = i;
        i++;
        while (i < to && (b.get(i) == ' ' || b.get(i) == '\t')) {
            i++;
        }
        int vStart = i;
        int vEnd = i;
        for (; i < to; i++) {
            byte c = b.get(i);
            if (!Ascii.fieldChar(c)) {
                return fail(request ? 400 : 502, "control character in header field value");
            }
            if (c != ' ' && c != '\t') {
                vEnd = i + 1;
            }
        }
        int index = head.addHeader(from, nameStop, vStart, vEnd, lineStop);
        return known(index, from, nameStop, vStart, vEnd);
    }

    private Result known(int index, int from, int nameStop, int vStart, int vEnd) {
        ByteBuffer b = head.buffer;
        switch (nameStop - from) {
            case 4:
                if (Ascii.equalsIgnoreCase(b, from, nameStop, HOST)) {
                    head.hostCount++;
                    if (head.hostCount > 1 && request) {
                        return fail(400, "more than one Host field");
                    }
                    if (request && !validHost(b, vStart, vEnd)) {
                        return fail(400, "invalid Host field");
                    }
                    head.hostIndex = index;
                    head.hopByHop[index] = request; // the proxy writes the Host it routed on
                }
                break;
            case 14:
                if (Ascii.equalsIgnoreCase(b, from, nameStop, CONTENT_LENGTH)) {
                    head.hopByHop[index] = true; // the proxy writes the framing it forwards
                    return contentLength(vStart, vEnd);
                }
                if (Ascii.equalsIgnoreCase(b, from, nameStop, HTTP2_SETTINGS)) {
                    head.hopByHop[index] = true; // belongs to an h2c upgrade, which is never forwarded
                }
                break;
            case 17:
                if (Ascii.equalsIgnoreCase(b, from, nameStop, TRANSFER_ENCODING)) {
                    head.hopByHop[index] = true; // re-added by whoever forwards the body chunked
                    return transferEncoding(vStart, vEnd);
                }
                break;
            case 10:
                if (Ascii.equalsIgnoreCase(b, from, nameStop, CONNECTION)) {
                    head.hopByHop[index] = true;
                    if (connectionFields == connectionIndex.length) {
                        connectionIndex = java.util.Arrays.copyOf(connectionIndex, connectionFields * 2);
                    }
                    connectionIndex[connectionFields++] = index;
                } else if (Ascii.equalsIgnoreCase(b, from, nameStop, KEEP_ALIVE)) {
                    head.hopByHop[index] = true;
                }
                break;
            case 7:
                if (Ascii.equalsIgnoreCase(b, from, nameStop, UPGRADE)) {
                    head.hopByHop[index] = true;
                    head.upgradeIndex = index;
                } else if (Ascii.equalsIgnoreCase(b, from, nameStop, TRAILER)) {
                    head.hopByHop[index] = true;
                }
                break;
            case 6:
                if (request && Ascii.equalsIgnoreCase(b, from, nameStop, EXPECT)) {
                    if (!Ascii.equalsIgnoreCase(b, vStart, vEnd, CONTINUE)) {
                        return fail(417, "unsupported expectation");
                    }
                    head.expectContinue = true;
                }
                break;
            case 16:
                if (Ascii.equalsIgnoreCase(b, from, nameStop, PROXY_CONNECTION)) {
                    head.hopByHop[index] = true;
                }
                break;
            case 2:
                if (Ascii.equalsIgnoreCase(b, from, nameStop, TE)) {
                    head.hopByHop[index] = true;
                }
                break;
            default:
                break;
        }
        return Result.COMPLETE;
    }

    /**
     * An authority without user info (RFC 3986 §3.2.2): a reg-name of unreserved and sub-delim characters (no
     * percent-encoding: names that need it are refused rather than decoded), an IPv4 address or an {@code [IPv6]}
     * literal, then an optional {@code :port} of at most five digits.
     */
    static boolean validHost(ByteBuffer b, int from, int to) {
        if (from == to) {
            return false;
        }
        int i = from;
        if (b.get(i) == '[') {
            while (++i < to && b.get(i) != ']') {
                byte c = b.get(i);
                if (!(hexDigit(c) || c == ':' || c == '.')) {
                    return false;
                }
            }
            if (i == to || i == from + 1) {
                return false;
            }
            i++;
        } else {
            while (i < to && b.get(i) != ':') {
                byte c = b.get(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '$' || c == '&' || c == '\''
                        || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
                if (!ok) {
                    return false;
                }
                i++;
            }
            if (i == from || b.get(from) == '.') {
                return false;
            }
        }
        if (i == to) {
            return true;
        }
        if (b.get(i) != ':' || to - i - 1 > 5) {
            return false;
        }
        for (int k = i + 1; k < to; k++) {
            if (b.get(k) < '0' || b.get(k) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean hexDigit(byte c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** {@code 1*DIGIT}, or a list of identical ones; every Content-Length field must agree. */
    private Result contentLength(int from, int to) {
        ByteBuffer b = head.buffer;
        int i = from;
        while (true) {
            long value = 0;
            int digits = 0;
            while (i < to && b.get(i) >= '0' && b.get(i) <= '9') {
                if (value > (Long.MAX_VALUE - 9) / 10) {
                    return fail(request ? 400 : 502, "Content-Length too large");
                }
                value = value * 10 + (b.get(i) - '0');
                digits++;
                i++;
            }
            if (digits == 0) {
                return fail(request ? 400 : 502, "invalid Content-Length");
            }
            if (head.contentLength >= 0 && head.contentLength != value) {
                return fail(request ? 400 : 502, "differing Content-Length values");
            }
            head.contentLength = value;
            while (i < to && (b.get(i) == ' ' || b.get(i) == '\t')) {
                i++;
            }
            if (i == to) {
                return Result.COMPLETE;
            }
            if (b.get(i) != ',') {
                return fail(request ? 400 : 502, "invalid Content-Length");
            }
            i++;
            while (i < to && (b.get(i) == ' ' || b.get(i) == '\t')) {
                i++;
            }
        }
    }

    /** Comma-separated transfer codings; only whether the last is {@code chunked} and what else appears matter. */
    private Result transferEncoding(int from, int to) {
        ByteBuffer b = head.buffer;
        head.hasTransferEncoding = true;
        int i = from;
        while (i <= to) {
            while (i < to && (b.get(i) == ' ' || b.get(i) == '\t')) {
                i++;
            }
            int tokenStart = i;
            while (i < to && Ascii.tchar(b.get(i))) {
                i++;
            }
            int tokenEnd = i;
            while (i < to && (b.get(i) == ' ' || b.get(i) == '\t')) {
                i++;
            }
            if (i < to && b.get(i) == ';') { // coding parameters: not for chunked; skip to the next comma
                while (i < to && b.get(i) != ',') {
                    i++;
                }
                chunkedLast = false;
                transferCodings++;
            } else if (tokenStart == tokenEnd || (i < to && b.get(i) != ',')) {
                return fail(request ? 400 : 502, "malformed Transfer-Encoding");
            } else {
                transferCodings++;
                chunkedLast = Ascii.equalsIgnoreCase(b, tokenStart, tokenEnd, CHUNKED);
                if (chunkedLast) {
                    chunkedSeen++;
                }
            }
            i++; // past the comma (or to+1 at the end)
        }
        return Result.COMPLETE;
    }

    // ---- the whole head ----

    private Result finish() {
        ByteBuffer b = head.buffer;
        for (int k = 0; k < connectionFields; k++) {
            int index = connectionIndex[k];
            Result r = connectionTokens(b, head.valueStart[index], head.valueEnd[index]);
            if (r == Result.ERROR) {
                return r;
            }
        }
        if (head.hasTransferEncoding) {
            if (request && head.minorVersion == 0) {
                return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (head.contentLength >= 0) {
                return fail(request ? 400 : 502, "both Content-Length and Transfer-Encoding");
            }
            if (chunkedSeen > 1) {
                return fail(request ? 400 : 502, "chunked applied more than once");
            }
            if (request) {
                if (!chunkedLast) {
                    return fail(400, "Transfer-Encoding does not end in chunked");
                }
                if (transferCodings > 1) {
                    return fail(501, "transfer coding other than chunked");
                }
            }
            head.chunked = chunkedLast; // a response not ending in chunked is delimited by close
        }
        if (request && head.minorVersion == 1 && head.hostCount == 0) {
            return fail(400, "missing Host field");
        }
        return Result.COMPLETE;
    }

    /** Connection options: close, keep-alive, upgrade, and names of further hop-by-hop fields. */
    private Result connectionTokens(ByteBuffer b, int from, int to) {
        int i = from;
        while (i < to) {
            while (i < to && (b.get(i) == ' ' || b.get(i) == '\t' || b.get(i) == ',')) {
                i++;
            }
            int s = i;
            while (i < to && Ascii.tchar(b.get(i))) {
                i++;
            }
            if (s == i) {
                if (i < to) {
                    return fail(request ? 400 : 502, "malformed Connection field");
                }
                break;
            }
            if (Ascii.equalsIgnoreCase(b, s, i, CLOSE)) {
                head.connectionClose = true;
            } else if (Ascii.equalsIgnoreCase(b, s, i, KEEP_ALIVE)) {
                head.connectionKeepAlive = true;
            } else if (Ascii.equalsIgnoreCase(b, s, i, UPGRADE)) {
                head.connectionUpgrade = true;
            } else if (!isProtected(b, s, i)) {
                for (int f = 0; f < head.count; f++) {
                    if (head.nameEnd[f] - head.lineStart[f] == i - s && sameIgnoreCase(b, head.lineStart[f], s, i - s)) {
                        head.hopByHop[f] = true;
                    }
                }
            }
        }
        return Result.COMPLETE;
    }

    private static boolean isProtected(ByteBuffer b, int from, int to) {
        for (byte[] name : PROTECTED) {
            if (Ascii.equalsIgnoreCase(b, from, to, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameIgnoreCase(ByteBuffer b, int a, int c, int length) {
        for (int k = 0; k < length; k++) {
            if (Ascii.lower(b.get(a + k)) != Ascii.lower(b.get(c + k))) {
                return false;
            }
        }
        return true;
    }
}
