"""Yield forecasting: features from readings, ONNX inference, model files with metadata.

Knows nothing of hardware or the web. onnxruntime is imported lazily by the parts
that run a model, so importing this package costs nothing on the gateway.
"""
