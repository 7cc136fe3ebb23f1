// Compiled into every test project (Directory.Build.targets, IsTestProject).
//
// Test classes run one at a time within an assembly. Reason: TorchSharp 0.107 passes implicitly created Scalars (the
// `1` in `a + b`, the learning rate inside its own optimizers' step) to libtorch without keeping them alive, so a
// garbage collection triggered by a test running on another thread can free one mid-call ("Expected false to be true"
// from Scalar::toDouble). Our per-step code holds its Scalars (src/Rnn.Torch/PinnedScalars.cs, guarded by
// CellStepUnderCollectionTests), but TorchSharp's own code cannot be changed from here. Test assemblies still run in
// parallel processes, which share no garbage collector.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
