#!/usr/bin/env python3
"""Keras 3 on TensorFlow contender of the simdnet benchmark suite: the incumbent for a Keras-shaped API (bench/suite.mjs
runs it with the pip venv's Python: `pip install keras tensorflow-cpu`).

The same model and protocol as the other contenders (bench/suite/train-worker.mjs): Fashion-MNIST,
784-128(relu)-64(relu)-10(softmax), categorical cross-entropy on one-hot labels, Adam 1e-3, batch 128, shuffled,
ONE model.fit call of `epochs` epochs with each epoch's time taken by a callback from the end of the previous one (the
first from the fit call), test accuracy after the run, inference on the test set with model.predict(batch_size=1000)
(median of 5 after a warm-up), peak RSS. model.compile's defaults stay as a user gets them (jit_compile='auto': XLA
where the model allows it); the result says which one ran. TensorFlow's intra- and inter-op pools are set to
--threads before anything runs.

--probe runs one 128x784x128 matmul and reports versions and whether oneDNN is on; bench/suite.mjs runs it with
ONEDNN_VERBOSE=1 to read oneDNN's "isa:" line (the ISA TensorFlow's oneDNN kernels dispatch to) from its output.
Prints one line `SIMDNET_BENCH_RESULT {json}` at the end.
"""
import argparse
import os
import resource
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the shared helpers in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
import benchcommon as bc  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--train-limit', type=int, default=0)
    ap.add_argument('--test-limit', type=int, default=0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--infer-calls', type=int, default=20, help='timed inference calls (after the accuracy one)')
    ap.add_argument('--probe', action='store_true', help='report versions and oneDNN, train nothing')
    args = ap.parse_args()

    import tensorflow as tf
    # Must precede any op: the pools are created on first use.
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras

    try:
        from tensorflow.python.util import _pywrap_util_port
        onednn = bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        onednn = None
    facts = {
        'framework': f'Keras {keras.__version__} on TensorFlow {tf.__version__}',
        'kerasVersion': keras.__version__,
        'tfVersion': tf.__version__,
        'oneDnn': onednn,
        'threads': args.threads,
        'intraOpThreads': tf.config.threading.get_intra_op_parallelism_threads(),
        'interOpThreads': tf.config.threading.get_inter_op_parallelism_threads(),
    }
    if args.probe:
        a = tf.ones((128, 784))
        b = tf.ones((784, 128))
        float(tf.reduce_sum(tf.matmul(a, b)))
        bc.emit(facts)
        return

    keras.utils.set_random_seed(args.seed)
    x_train, ytr, x_test, yte = bc.fashion_mnist(args.data, args.train_limit, args.test_limit)
    y_train = keras.utils.to_categorical(ytr, 10)
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(128, activation='relu'),
        keras.layers.Dense(64, activation='relu'),
        keras.layers.Dense(10, activation='softmax'),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss='categorical_crossentropy', metrics=['accuracy'])

    epoch_seconds = []

    class EpochTimes(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            epoch_seconds.append(now - self.last)
            self.last = now

    cb = EpochTimes()
    cb.last = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0, callbacks=[cb])

    probs = model.predict(x_test, batch_size=1000, verbose=0)
    accuracy = float((probs.argmax(1) == yte).mean())
    infer = []
    for _ in range(args.infer_calls):
        t0 = time.perf_counter()
        model.predict(x_test, batch_size=1000, verbose=0)
        infer.append(time.perf_counter() - t0)
    bc.emit({
        **facts,
        'jitCompile': bool(getattr(model, 'jit_compile', False)),
        'trainSamples': int(x_train.shape[0]),
        'testSamples': int(x_test.shape[0]),
        'batchSize': args.batch_size,
        'epochSeconds': epoch_seconds,
        'accuracy': accuracy,
        'inferenceSeconds': bc.median(infer),
        'inferenceRuns': infer,
        'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    })


if __name__ == '__main__':
    main()
