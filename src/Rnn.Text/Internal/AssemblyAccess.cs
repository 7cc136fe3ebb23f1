using System.Runtime.CompilerServices;

// UsageGate (disposal races) and TempFiles (atomic saves) are shared by the libtorch-free ONNX wrappers, the ML.NET
// transformers and the ONNX exporter without becoming public API.
[assembly: InternalsVisibleTo("Rnn.Onnx")]
[assembly: InternalsVisibleTo("Rnn.MLNet")]
[assembly: InternalsVisibleTo("Rnn.Export")]
