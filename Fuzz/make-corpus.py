#!/usr/bin/env python3
"""Writes the seed corpus in Fuzz/Corpus/<target>/ from the publisher captures in
Tests/ImagoRTMPTests/Fixtures/ (OBS, ffmpeg, GStreamer rtmp2sink, librtmp): handshakes, chunk
streams, and the message payloads inside them (AMF0 bodies, FLV tags, avcC, SPS, AAC configs).

The captures are all H.264 + AAC, so the hvcC and av1C seeds, and the Enhanced RTMP tags built
around them, use the records in Tests/ImagoRTMPTests/FLVTagTests.swift (written by FFmpeg with
libx265, libaom and SVT-AV1). Run from anywhere: python3 Fuzz/make-corpus.py
"""
import hashlib
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "ImagoRTMPTests" / "Fixtures"
CORPUS = ROOT / "Fuzz" / "Corpus"
CAPTURES = ["obs", "ffmpeg", "gst-rtmp2sink", "librtmp-rtmpsink"]
HANDSHAKE_BYTES = 1 + 2 * 1536
# Real chunk-stream bytes kept per capture: the command flow, metadata, sequence headers, first frames.
STREAM_PREFIX_BYTES = 12 * 1024
# Media frames up to this size are kept whole in the short, complete sessions.
SMALL_FRAME_BYTES = 3000

# From FLVTagTests.swift: hvcCOdd, hvcCMain10, hvcCRangeExtensions, av1CLibaom, av1CSVT.
HVCC = [
    "0101600000009000000000003ff000fcfdf8f800000f03a00001001840010c01ffff01600000030090000003000003003f959809a1"
    "0001002b42010101600000030090000003000003003fa005020169d565959a4932bc05a02000000300200000030321a2000100074401c172b46240",
    "0102200000009000000000005df000fcfdfafa00000f03a00001001840010c01ffff02200000030090000003000003005d959809a1"
    "0001002b42010102200000030090000003000003005da00280802d1365959a4932bc05a020000003002000000303c1a2000100074401c172b46240",
    "0104080000009d080000000078f000fcfefafa00001303a00001001b40010c02ffff0408000003009d0800000300007800009598acc048a1"
    "0001002e4201020408000003009d080000030000780000b003c08010e756d965662b349265780b4040000003004000000782a2000100074401c172b46240",
]
AV1C = ["81010c000a0b0000000cc4ff6736be4010", "81054c000a0b0000002d4cffb3c02f8404"]


def chunk_messages(stream):
    """Reassembles the RTMP messages of a client's chunk stream (after the handshake).

    Yields (chunk stream id, timestamp, type id, message stream id, payload, end offset of its last chunk).
    """
    chunk_size = 128
    streams = {}
    offset = 0
    while offset < len(stream):
        first = stream[offset]
        offset += 1
        fmt, csid = first >> 6, first & 0x3F
        if csid == 0:
            csid = 64 + stream[offset]
            offset += 1
        elif csid == 1:
            csid = 64 + stream[offset] + 256 * stream[offset + 1]
            offset += 2
        state = streams.setdefault(csid, {"ts": 0, "delta": 0, "len": 0, "type": 0, "msid": 0, "ext": False, "partial": None})
        if fmt <= 2:
            field = int.from_bytes(stream[offset:offset + 3], "big")
            offset += 3
            if fmt <= 1:
                state["len"] = int.from_bytes(stream[offset:offset + 3], "big")
                state["type"] = stream[offset + 3]
                offset += 4
            if fmt == 0:
                state["msid"] = struct.unpack_from("<I", stream, offset)[0]
                offset += 4
            state["ext"] = field == 0xFFFFFF
            if state["ext"]:
                field = struct.unpack_from(">I", stream, offset)[0]
                offset += 4
            if fmt == 0:
                state["ts"] = field
            else:
                state["ts"] = (state["ts"] + field) & 0xFFFFFFFF
            state["delta"] = field
            state["partial"] = None
        else:
            if state["ext"]:
                offset += 4
            if state["partial"] is None:
                state["ts"] = (state["ts"] + state["delta"]) & 0xFFFFFFFF
        partial = state["partial"] or b""
        piece = min(chunk_size, state["len"] - len(partial))
        if offset + piece > len(stream):
            return  # the capture ends inside a chunk
        partial += stream[offset:offset + piece]
        offset += piece
        if len(partial) < state["len"]:
            state["partial"] = partial
            continue
        state["partial"] = None
        if state["type"] == 1:
            chunk_size = struct.unpack_from(">I", partial)[0] & 0x7FFFFFFF
        yield csid, state["ts"], state["type"], state["msid"], partial, offset


def encode_chunks(messages):
    """Chunks `messages` (as chunk_messages yields them) again: a type-0 header, then type-3 continuations.

    Follows the sender's own Set Chunk Size messages, as a real client does.
    """
    out = bytearray()
    chunk_size = 128
    for csid, timestamp, type_id, msid, payload, _ in messages:
        basic = bytes([csid]) if csid < 64 else bytes([0, csid - 64])
        extended = timestamp >= 0xFFFFFF
        header = basic + min(timestamp, 0xFFFFFF).to_bytes(3, "big") + len(payload).to_bytes(3, "big")
        header += bytes([type_id]) + struct.pack("<I", msid) + (struct.pack(">I", timestamp) if extended else b"")
        out += header
        for index in range(0, max(len(payload), 1), chunk_size):
            if index:
                out += bytes([0xC0 | basic[0]]) + basic[1:] + (struct.pack(">I", timestamp) if extended else b"")
            out += payload[index:index + chunk_size]
        if type_id == 1:
            chunk_size = struct.unpack_from(">I", payload)[0] & 0x7FFFFFFF
    return bytes(out)


def avcc_sps(record):
    """The SPS NAL units of an avcC record."""
    count = record[5] & 0x1F
    offset = 6
    units = []
    for _ in range(count):
        length = int.from_bytes(record[offset:offset + 2], "big")
        units.append(record[offset + 2:offset + 2 + length])
        offset += 2 + length
    return units


class Corpus:
    """Writes seeds, one file per distinct content, and counts them."""

    def __init__(self):
        shutil.rmtree(CORPUS, ignore_errors=True)
        self.seen = set()
        self.count = 0
        self.size = 0

    def add(self, target, name, data):
        data = bytes(data)
        key = (target, hashlib.sha256(data).digest())
        if key in self.seen:
            return
        self.seen.add(key)
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.bin").write_bytes(data)
        self.count += 1
        self.size += len(data)


def main():
    corpus = Corpus()
    # Selector bytes for the split targets (see Fuzz/Sources/FuzzSupport/FuzzInput.swift): 0x00 whole,
    # 0x0E byte by byte, 0x03 up to 8 bytes, 0x09...0x0D up to 512 bytes...8 KiB at a time; 0x8x also
    # tightens the chunk parser's limits. Small pieces go to the small seeds: a debug build spends tens
    # of microseconds per parse or receive call, and mutation still tries every selector on every seed.
    selectors = {
        "obs": {"prefix": 0x00, "short": 0x0E},
        "ffmpeg": {"prefix": 0x0D, "short": 0x03},
        "gst-rtmp2sink": {"prefix": 0x8B, "short": 0x87},
        "librtmp-rtmpsink": {"prefix": 0x0A, "short": 0x09},
    }
    for client in CAPTURES:
        capture = (FIXTURES / f"{client}-c2s.bin").read_bytes()
        prefix_selector = bytes([selectors[client]["prefix"]])
        short_selector = bytes([selectors[client]["short"]])
        handshake, stream = capture[:HANDSHAKE_BYTES], capture[HANDSHAKE_BYTES:]
        messages = list(chunk_messages(stream))

        corpus.add("FuzzHandshake", f"{client}-c0c1c2", handshake)
        cut = max(end for *_, end in messages if end <= STREAM_PREFIX_BYTES)
        corpus.add("FuzzChunkParser", f"{client}-prefix", prefix_selector + stream[:cut])
        corpus.add("FuzzSession", f"{client}-prefix", prefix_selector + handshake + stream[:cut])

        # A short but complete session: every non-media message, the sequence headers, a few small frames.
        video_frames = audio_frames = 0
        short = []
        for message in messages:
            type_id, payload = message[2], message[4]
            if type_id == 9 and len(payload) > 1 and payload[1] == 1:
                video_frames += 1
                if video_frames > 3 or len(payload) > SMALL_FRAME_BYTES:
                    continue
            if type_id == 8 and len(payload) > 1 and payload[1] == 1:
                audio_frames += 1
                if audio_frames > 3:
                    continue
            short.append(message)
        corpus.add("FuzzChunkParser", f"{client}-short", short_selector + encode_chunks(short))
        corpus.add("FuzzSession", f"{client}-short", short_selector + handshake + encode_chunks(short))

        for index, (_, _, type_id, _, payload, _) in enumerate(short):
            if type_id in (18, 20):
                corpus.add("FuzzAMF0", f"{client}-{index:03}-type{type_id}", payload)
            elif type_id == 9:
                corpus.add("FuzzFLVVideoTag", f"{client}-{index:03}", payload)
                if payload[:2] == b"\x17\x00":
                    record = payload[5:]
                    corpus.add("FuzzAVCConfig", client, record)
                    for number, sps in enumerate(avcc_sps(record)):
                        corpus.add("FuzzH264SPS", f"{client}-{number}", sps)
            elif type_id == 8:
                corpus.add("FuzzFLVAudioTag", f"{client}-{index:03}", payload)
                if payload[0] >> 4 == 10 and payload[1] == 0:
                    corpus.add("FuzzAudioSpecificConfig", client, payload[2:])

    # Enhanced RTMP tags around the HEVC and AV1 records (keyframe, PacketTypeSequenceStart), and an
    # HEVC coded frame with a composition time; Opus and MP3 audio.
    for number, record in enumerate(map(bytes.fromhex, HVCC)):
        corpus.add("FuzzHEVCConfig", f"hvcc-{number}", record)
        corpus.add("FuzzFLVVideoTag", f"enhanced-hvc1-{number}", b"\x90hvc1" + record)
        corpus.add("FuzzFLVVideoTag", f"legacy-hevc-{number}", b"\x1c\x00\x00\x00\x00" + record)
    for number, record in enumerate(map(bytes.fromhex, AV1C)):
        corpus.add("FuzzAV1Config", f"av1c-{number}", record)
        corpus.add("FuzzFLVVideoTag", f"enhanced-av01-{number}", b"\x90av01" + record)
    corpus.add("FuzzFLVVideoTag", "enhanced-hvc1-frame", b"\x91hvc1\x00\x00\x10" + bytes.fromhex("0000000426018af0"))
    corpus.add("FuzzFLVVideoTag", "enhanced-modex-av01", b"\x97\x00\xaa\x00av01" + bytes.fromhex(AV1C[1]))
    corpus.add("FuzzFLVAudioTag", "enhanced-opus-head", b"\x90Opus" + b"OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00")
    corpus.add("FuzzFLVAudioTag", "mp3-frame", bytes.fromhex("2fFFFB9064") + bytes(16))

    print(f"wrote {corpus.count} seeds, {corpus.size} bytes, to {CORPUS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
