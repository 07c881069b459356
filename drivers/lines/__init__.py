"""Serial line devices: byte streams split into lines or sentences, decoded by their profile.

``framing`` cuts a byte stream into lines, ``ascii_format`` and ``ascii_decoder``
turn a generic ASCII logger's lines into point values, ``nmea_decoder`` does the
same for a GNSS receiver's fixes, and ``reader`` runs one device on its port.
"""
