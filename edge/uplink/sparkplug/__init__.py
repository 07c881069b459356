"""Sparkplug B 3.0 output: the gateway as an edge node (NBIRTH, NDATA, NDEATH).

The payload encoder is Kakashi's own, over the protobuf wire format (a few
dozen lines, no dependency on the Pi); the tests decode its output with Google's
protobuf runtime against the Sparkplug B schema.
"""
