#!/usr/bin/python3
"""UDP request/response transfer for the VM tests.

server PORT: echo every datagram to its sender; on the client's END datagram
print the peer, the count and sha256 of the distinct payloads, then exit.
client TARGET PORT COUNT SIZE: send COUNT numbered random datagrams of SIZE
bytes one at a time (retransmitting on loss), check each echo, then END.
"""
import hashlib
import os
import socket
import struct
import sys

END = b"END"
TRIES = 5


def serve(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", port))
    payloads, peers = {}, set()
    while True:
        data, peer = sock.recvfrom(65535)
        sock.sendto(data, peer)
        peers.add("%s:%d" % peer)
        if data == END:
            break
        (seq,) = struct.unpack("!I", data[:4])
        payloads[seq] = data[4:]
    digest = hashlib.sha256(b"".join(payloads[k] for k in sorted(payloads)))
    for peer in sorted(peers):
        print("peer", peer)
    print("received %d datagrams sha256=%s" % (len(payloads), digest.hexdigest()))


def exchange(sock, data):
    for _ in range(TRIES):
        sock.send(data)
        try:
            while True:
                echo = sock.recv(65535)
                if echo[:4] == data[:4]:
                    return echo
        except socket.timeout:
            continue
    sys.exit("no echo after %d tries" % TRIES)


def client(target, port, count, size):
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(1.0)
    sock.connect((target, port))
    sent, echoed = hashlib.sha256(), hashlib.sha256()
    for seq in range(count):
        payload = os.urandom(size)
        sent.update(payload)
        echo = exchange(sock, struct.pack("!I", seq) + payload)
        echoed.update(echo[4:])
    exchange(sock, END)
    print("sent %d datagrams sha256=%s" % (count, sent.hexdigest()))
    print("echoed %d datagrams sha256=%s" % (count, echoed.hexdigest()))


def main(argv):
    if len(argv) == 3 and argv[1] == "server":
        serve(int(argv[2]))
    elif len(argv) == 6 and argv[1] == "client":
        client(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
