"""Talking to hardware: transports, protocols, device profiles, decoding to readings.

Knows nothing of storage, the web page or MQTT: a driver turns bytes into
:class:`drivers.reading.Reading` values and hands them to a callback.
"""
