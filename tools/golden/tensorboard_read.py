"""Reads a PoseKD TensorBoard event file with Debian's python3-protobuf (no TensorFlow/TensorBoard needed).

The Event / Summary messages are declared here from the field numbers of TensorFlow's public
event.proto and summary.proto (Event: wall_time 1, step 2, file_version 3, summary 5;
Summary: value 1; Summary.Value: tag 1, simple_value 2) and the TFRecord framing is checked with
TensorFlow's masked CRC-32C. Prints one JSON line per scalar; exits non-zero on a framing or CRC error.

    /usr/bin/python3 tools/golden/tensorboard_read.py WORKDIR/tb/events.out.tfevents.*
"""
import json
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def event_class():
    f = descriptor_pb2.FileDescriptorProto(name="posekd_event.proto", package="tensorflow", syntax="proto3")
    summary = f.message_type.add(name="Summary")
    value = summary.nested_type.add(name="Value")
    value.field.add(name="tag", number=1, type=9, label=1)
    value.field.add(name="simple_value", number=2, type=2, label=1)
    summary.field.add(name="value", number=1, type=11, label=3, type_name=".tensorflow.Summary.Value")
    event = f.message_type.add(name="Event")
    event.field.add(name="wall_time", number=1, type=1, label=1)
    event.field.add(name="step", number=2, type=3, label=1)
    event.field.add(name="file_version", number=3, type=9, label=1)
    event.field.add(name="summary", number=5, type=11, label=1, type_name=".tensorflow.Summary")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tensorflow.Event"))


def read(path):
    Event = event_class()
    data = open(path, "rb").read()
    pos, out = 0, []
    while pos < len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        (hcrc,) = struct.unpack_from("<I", data, pos + 8)
        if hcrc != masked(data[pos:pos + 8]):
            raise SystemExit(f"{path}: bad length CRC at byte {pos}")
        body = data[pos + 12:pos + 12 + length]
        (dcrc,) = struct.unpack_from("<I", data, pos + 12 + length)
        if dcrc != masked(body):
            raise SystemExit(f"{path}: bad data CRC at byte {pos}")
        ev = Event()
        ev.ParseFromString(body)
        if ev.file_version:
            out.append({"file_version": ev.file_version})
        for v in ev.summary.value:
            out.append({"step": ev.step, "tag": v.tag, "value": v.simple_value})
        pos += 16 + length
    return out


if __name__ == "__main__":
    for p in sys.argv[1:]:
        for row in read(p):
            print(json.dumps(row))
