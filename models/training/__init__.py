"""The offline training pipeline: AquaCrop seasons -> features -> quantile models -> ONNX.

Needs the ``kakashi[train]`` extra (aquacrop, pandas, lightgbm, onnxmltools);
nothing here is imported by the gateway at run time.
"""
