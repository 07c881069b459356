"""Kakashi's own Modbus client, layered like the protocol: PDU, MBAP framing, transport.

Owning the client (rather than wrapping pymodbus) is what lets the poller decide
transaction matching, late replies, request batching and timing; pymodbus stays
in the tests as an independent peer.
"""
