using System.Runtime.CompilerServices;

// Which assemblies see Rnn.Torch's internals, in one place for the assembly. The tests set what users never do, e.g. the
// beam search's block size (BeamSearchDecoder.Decode's internal overload).
[assembly: InternalsVisibleTo("Rnn.Torch.Tests")]
// The translation benchmark reads DecoderRowCounter (rows per sentence).
[assembly: InternalsVisibleTo("Rnn.Bench")]
