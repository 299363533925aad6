// The live native-tensor counter, the random seed and the gradient mode are process-wide libtorch state; tests that
// measure or set them must not interleave with others.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
