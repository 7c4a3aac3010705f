#!/usr/bin/env python3
"""A simdnet model in Keras 3 (issue 14, docs/interop.md): reads the TensorFlow.js layers-model directory that
model.save(dir, {format: 'tfjs'}) writes (model.json + weights file), builds the same keras.Sequential layer by
layer from the JSON topology, sets every weight by name from the weights file, and optionally

  --input X.f32 --rows N --output Y.f32   predicts raw little-endian float32 rows (row-major, N x features)
  --save model.keras                      saves the Keras model (the native .keras format)

The tensorflowjs converter is not needed (nor installed here). Layers: InputLayer, Dense, Activation, LeakyReLU
(alpha -> negative_slope), Softmax, Rescaling, Dropout, BatchNormalization; anything else is an error.

Usage: python tools/keras/from-simdnet.py DIR [--input X.f32 --rows N --output Y.f32] [--save model.keras]
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def plain(name):
    """Shard paths must be plain file names inside the directory (as simdnet's loader requires)."""
    if not isinstance(name, str) or name == "" or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        raise SystemExit(f"refusing shard path {name!r}: not a plain file name")
    return name


def read_weights(directory, manifest):
    """{name: float32 array} from the manifest's groups (each group's shards concatenated)."""
    out = {}
    for group in manifest:
        data = b"".join(open(os.path.join(directory, plain(p)), "rb").read() for p in group["paths"])
        need = sum(4 * int(np.prod(w["shape"], dtype=np.int64)) for w in group["weights"])
        if len(data) != need:
            raise SystemExit(f"weight group {group['paths']} has {len(data)} bytes, its weights take {need}")
        at = 0
        for w in group["weights"]:
            if w.get("dtype", "float32") != "float32":
                raise SystemExit(f"weight {w['name']} is {w['dtype']}, not float32")
            n = int(np.prod(w["shape"], dtype=np.int64))
            out[w["name"]] = np.frombuffer(data, dtype="<f4", count=n, offset=at).reshape(w["shape"]).astype(np.float32)
            at += 4 * n
    return out


def build(topology):
    import keras

    topo = topology.get("model_config", topology)
    if topo.get("class_name") != "Sequential":
        raise SystemExit(f"not a Sequential model: {topo.get('class_name')}")
    entries = topo["config"]["layers"] if isinstance(topo["config"], dict) else topo["config"]
    layers, features = [], None
    for e in entries:
        cls, c = e["class_name"], e["config"]
        shape = c.get("batch_input_shape") or c.get("batch_shape")
        if shape is not None:
            features = shape[1]
        name = c.get("name")
        if cls == "InputLayer":
            continue
        if cls == "Dense":
            layers.append(keras.layers.Dense(c["units"], activation=c.get("activation", "linear"), use_bias=c.get("use_bias", True), name=name))
        elif cls == "Activation":
            layers.append(keras.layers.Activation(c["activation"], name=name))
        elif cls == "LeakyReLU":
            slope = c.get("negative_slope", c.get("alpha", 0.3))
            layers.append(keras.layers.LeakyReLU(negative_slope=slope, name=name))
        elif cls == "Softmax":
            layers.append(keras.layers.Softmax(axis=-1, name=name))
        elif cls == "Rescaling":
            layers.append(keras.layers.Rescaling(c["scale"], offset=c.get("offset", 0.0), name=name))
        elif cls == "Dropout":
            layers.append(keras.layers.Dropout(c["rate"], seed=c.get("seed"), name=name))
        elif cls == "BatchNormalization":
            layers.append(keras.layers.BatchNormalization(
                axis=-1, momentum=c.get("momentum", 0.99), epsilon=c.get("epsilon", 1e-3),
                center=c.get("center", True), scale=c.get("scale", True), name=name))
        else:
            raise SystemExit(f"layer {name} is a {cls}, which this script does not translate")
    if features is None:
        raise SystemExit("the model declares no input shape")
    model = keras.Sequential([keras.Input((features,))] + layers, name=topo["config"].get("name") if isinstance(topo["config"], dict) else None)
    return model


def set_weights(model, weights):
    used = set()
    for layer in model.layers:
        values = []
        for v in layer.weights:
            # Keras 3 paths are '<model>/<layer>/<weight>'; tfjs names '<layer>/<weight>'.
            key = f"{layer.name}/{v.path.split('/')[-1]}"
            if key not in weights:
                raise SystemExit(f"weight {key} is missing from the weights file")
            if tuple(weights[key].shape) != tuple(v.shape):
                raise SystemExit(f"weight {key} has shape {weights[key].shape}, the layer needs {tuple(v.shape)}")
            values.append(weights[key])
            used.add(key)
        if values:
            layer.set_weights(values)
    extra = set(weights) - used
    if extra:
        raise SystemExit(f"weights {sorted(extra)} belong to no layer")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--input")
    ap.add_argument("--rows", type=int)
    ap.add_argument("--output")
    ap.add_argument("--save")
    a = ap.parse_args()
    with open(os.path.join(a.dir, "model.json")) as f:
        j = json.load(f)
    if j.get("format", "layers-model") != "layers-model":
        raise SystemExit(f"{a.dir}/model.json is a {j.get('format')}, not a tfjs layers model")
    model = build(j["modelTopology"])
    set_weights(model, read_weights(a.dir, j["weightsManifest"]))
    if a.input:
        x = np.fromfile(a.input, dtype="<f4").reshape(a.rows, -1)
        y = model.predict(x, batch_size=max(1, a.rows), verbose=0)
        np.asarray(y, dtype="<f4").tofile(a.output)
    if a.save:
        model.save(a.save)
    import keras
    print(f"keras {keras.__version__}: {len(model.layers)} layers, {model.count_params()} parameters", file=sys.stderr)


if __name__ == "__main__":
    main()
