#!/usr/bin/env python3
"""A Keras 3 Sequential model as a TensorFlow.js layers-model directory that simdnet's loadModel reads (issue 14,
docs/interop.md), without the tensorflowjs converter: model.json in the converter's shape
({format: 'layers-model', modelTopology: {keras_version, backend, model_config: <model.to_json()>}, weightsManifest})
and one float32 weights file, the weights named by their Keras 3 paths ('sequential/dense/kernel').

  python tools/keras/to-tfjs.py MODEL.keras OUTDIR     a saved Keras model
  python tools/keras/to-tfjs.py --demo OUTDIR          the test fixture: an MLP with every layer simdnet imports
                                                       (InputLayer, Dense, BatchNormalization, Dropout, LeakyReLU,
                                                       Activation, Rescaling + Softmax), seeded weights and moving
                                                       statistics, plus x.f32 (7 rows) and y.f32 (Keras's predictions)
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402


def demo():
    rng = np.random.default_rng(14)
    m = keras.Sequential([
        keras.Input((6,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.BatchNormalization(epsilon=0.01),
        keras.layers.Dropout(0.25),
        keras.layers.Dense(7),
        keras.layers.LeakyReLU(negative_slope=0.17),
        keras.layers.Activation("tanh"),
        keras.layers.Dense(5, activation="sigmoid"),
        keras.layers.Dense(4),
        keras.layers.Rescaling(0.4),
        keras.layers.Softmax(),
    ], name="keras_demo")
    for layer in m.layers:
        ws = []
        for v in layer.weights:
            leaf = v.path.split("/")[-1]
            lo, hi = (0.5, 2.0) if leaf in ("moving_variance", "gamma") else (-1.0, 1.0)
            ws.append(rng.uniform(lo, hi, size=tuple(v.shape)).astype(np.float32))
        if ws:
            layer.set_weights(ws)
    return m


def write(model, out):
    os.makedirs(out, exist_ok=True)
    specs, blobs = [], []
    for v in model.weights:
        a = np.asarray(v.numpy(), dtype="<f4")
        specs.append({"name": v.path, "shape": list(a.shape), "dtype": "float32"})
        blobs.append(a.tobytes())
    shard = "group1-shard1of1.bin"
    with open(os.path.join(out, shard), "wb") as f:
        f.write(b"".join(blobs))
    j = {
        "format": "layers-model",
        "generatedBy": f"keras v{keras.__version__}",
        "convertedBy": "simdnet tools/keras/to-tfjs.py",
        "modelTopology": {"keras_version": keras.__version__, "backend": keras.backend.backend(), "model_config": json.loads(model.to_json())},
        "weightsManifest": [{"paths": [shard], "weights": specs}],
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(j, f, indent=1)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--demo":
        out = sys.argv[2]
        m = demo()
        write(m, out)
        x = np.random.default_rng(7).uniform(-2, 2, size=(7, 6)).astype("<f4")
        x.tofile(os.path.join(out, "x.f32"))
        np.asarray(m.predict(x, verbose=0), dtype="<f4").tofile(os.path.join(out, "y.f32"))
    elif len(sys.argv) == 3:
        write(keras.saving.load_model(sys.argv[1]), sys.argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
