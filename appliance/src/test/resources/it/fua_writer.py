"""Writes 4 KiB blocks with FUA over NBD until the server goes away, logging each write.

Usage: fua_writer.py URI ROUND BLOCKS LOGFILE
Each block's bytes start with "ROUND:SEQ:BLOCK|" so a reader can tell which write it holds.
Before a write the log gets "try BLOCK SEQ", after its acknowledgement "ack BLOCK SEQ";
lines are flushed to the OS at once, so a kill of the server loses none of them.
"""
import os
import random
import sys

import nbd

uri, round_no, blocks, log_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
h = nbd.NBD()
h.connect_uri(uri)
rng = random.Random(round_no)
with open(log_path, "a", buffering=1) as log:
    seq = 0
    while True:
        seq += 1
        block = rng.randrange(blocks)
        head = f"{round_no}:{seq}:{block}|".encode()
        data = head + bytes([rng.randrange(256)]) * (4096 - len(head))
        log.write(f"try {block} {seq}\n")
        try:
            # Every other write is plain and followed by a flush, the rest carry FUA.
            if seq % 2:
                h.pwrite(data, block * 4096, nbd.CMD_FLAG_FUA)
            else:
                h.pwrite(data, block * 4096)
                h.flush()
        except nbd.Error:
            sys.exit(0)
        log.write(f"ack {block} {seq}\n")
        os.fsync(log.fileno()) if seq % 64 == 0 else None
