"""NMEA 0183: framing a GNSS receiver's byte stream, decoding sentences, assembling fixes.

Layered like the data: ``framing`` finds sentences in bytes, ``sentence`` checks
each one's checksum and address, ``messages`` turns fields into typed values,
``assembler`` combines the sentences of one epoch into a :class:`~drivers.nmea.fix.Fix`,
and ``stream`` ties them together with the counters of what was rejected and why.
"""
