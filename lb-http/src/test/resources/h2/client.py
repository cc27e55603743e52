"""Frame-level HTTP/2 cases through Python's h2 library: python3 client.py PORT CASE; prints one result line."""
import socket
import sys

import h2.config
import h2.connection
import h2.events


def connect(port, validate=True):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8",
                                       validate_outbound_headers=validate, normalize_outbound_headers=validate)
    c = h2.connection.H2Connection(config=config)
    c.initiate_connection()
    s.sendall(c.data_to_send())
    return s, c


def events_until(s, c, done):
    """Reads and handles events until done(event) says so; returns the events seen."""
    seen = []
    while True:
        data = s.recv(65536)
        if not data:
            seen.append("closed")
            return seen
        for e in c.receive_data(data):
            seen.append(e)
            if isinstance(e, h2.events.DataReceived):
                c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
            if done(e):
                s.sendall(c.data_to_send())
                return seen
        s.sendall(c.data_to_send())


def request_with_trailers(port):
    s, c = connect(port)
    c.send_headers(1, [(":method", "POST"), (":scheme", "http"), (":path", "/py"), (":authority", "py.test")])
    c.send_data(1, b"hello from h2")
    c.send_headers(1, [("x-request-trailer", "yes")], end_stream=True)
    s.sendall(c.data_to_send())
    status, body = None, b""
    for e in events_until(s, c, lambda e: isinstance(e, h2.events.StreamEnded)):
        if isinstance(e, h2.events.ResponseReceived):
            status = dict(e.headers)[":status"]
        if isinstance(e, h2.events.DataReceived):
            body += e.data
    print("status=%s body=%s" % (status, body.decode()))


def uppercase_name(port):
    s, c = connect(port, validate=False)
    c.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":path", "/py"), (":authority", "py.test"),
                       ("X-Upper", "1")], end_stream=True)
    s.sendall(c.data_to_send())
    seen = events_until(s, c, lambda e: isinstance(e, (h2.events.StreamReset, h2.events.ResponseReceived)))
    reset = [e for e in seen if isinstance(e, h2.events.StreamReset)]
    print("reset=%s" % (reset[0].error_code.name if reset else "none"))


def rapid_reset(port):
    s, c = connect(port)
    try:
        for i in range(500):
            sid = c.get_next_available_stream_id()
            c.send_headers(sid, [(":method", "GET"), (":scheme", "http"), (":path", "/rr"), (":authority", "py.test")],
                           end_stream=True)
            c.reset_stream(sid)
            s.sendall(c.data_to_send())
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        seen = events_until(s, c, lambda e: isinstance(e, h2.events.ConnectionTerminated))
    except (ConnectionResetError, h2.exceptions.ProtocolError):
        seen = ["closed"]
    ended = [e for e in seen if isinstance(e, h2.events.ConnectionTerminated)]
    print("goaway=%s" % (ended[0].error_code.name if ended else "closed"))


if __name__ == "__main__":
    {"trailers": request_with_trailers, "uppercase": uppercase_name, "rapid-reset": rapid_reset}[sys.argv[2]](
        int(sys.argv[1]))
