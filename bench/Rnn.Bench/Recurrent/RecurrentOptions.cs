namespace RnnMl.Bench;

/// <summary>Options of the <c>recurrent</c> subcommand.</summary>
/// <param name="Quick">Only what the ratios line needs: 1-layer unidirectional LSTM training for raw, fused and
/// composed, interleaved with the sgemm, plus a small-size memory check.</param>
/// <param name="Help">Print the usage and stop.</param>
/// <param name="Rounds">Timed interleaved rounds per table row.</param>
/// <param name="HeadlineRounds">Timed rounds for the 1-layer unidirectional LSTM rows (the ratios line).</param>
/// <param name="Warmup">Untimed rounds before each measurement.</param>
/// <param name="Threads">Torch threads, or 0 for libtorch's default (one per core).</param>
/// <param name="GlibcMalloc">Keep glibc's default malloc settings instead of NativeAllocator.Tune (what training uses).</param>
internal sealed record RecurrentOptions(bool Quick, bool Help, int Rounds, int HeadlineRounds, int Warmup, string? Cell = null, string? Lengths = null,
    int Threads = 0, bool GlibcMalloc = false)
{
    public const string Usage = """
        usage: Rnn.Bench recurrent [--quick] [--rounds <n>] [--headline-rounds <n>] [--warmup <n>]
                                [--cell <lstm|gru|rnn>] [--lengths <full|ragged>] [--threads <n>]
                                [--glibc-malloc]

        Times TorchSharp's torch.nn.LSTM/GRU/RNN against our Lstm/Gru/Rnn layers (fused and composed backends), forward
        only and forward+backward, at N=64 T=100 I=128 H=256; checks memory over 200 composed training steps; and ends
        with the line 'ratios: fused_vs_raw=<x> composed_vs_fused=<y> fused_train_vs_sgemm=<z> auto_vs_best_min=<a>
        lstm_train_vs_sgemm=<b> lstm_ragged_vs_full_train=<c>' (1-layer unidirectional LSTM training, except
        auto_vs_best_min: the worst row of the run; lstm_train_vs_sgemm uses the fastest exact backend; higher is better).

          --quick                only the 1-layer unidirectional LSTM, full-length and ragged (about two minutes)
          --rounds <n>           timed interleaved rounds per table row (default 5)
          --headline-rounds <n>  timed rounds for the 1-layer unidirectional LSTM, the ratios line (default 15;
                                 --quick stops after 20 s of timing, at least 3 rounds)
          --warmup <n>           untimed rounds before each measurement (default 1)
          --cell <lstm|gru|rnn>  only the full table's rows of this cell
          --lengths <full|ragged> only the full table's rows with these lengths
          --threads <n>          torch threads (default 0: libtorch's default, one per core, as in the reference
                                 tables; on a busy machine 1 avoids the thread pool's waits, which slow every row)
          --glibc-malloc         keep glibc's default malloc settings (default: NativeAllocator.Tune first, as
                                 training does; Auto's LSTM training choice follows it)
          --help                 this text
        """;

    /// <exception cref="UsageException">An unknown argument or a bad value.</exception>
    public static RecurrentOptions Parse(string[] args)
    {
        var reader = new OptionReader(args);
        bool help = reader.Flag("--help") | reader.Flag("-h");
        bool quick = reader.Flag("--quick");
        int rounds = reader.Int("--rounds", 5, min: 1);
        int headline = reader.Int("--headline-rounds", 15, min: 1);
        int warmup = reader.Int("--warmup", 1, min: 0);
        string? cell = reader.Value("--cell")?.ToLowerInvariant();
        if (cell is not (null or "lstm" or "gru" or "rnn"))
            throw new UsageException($"--cell must be lstm, gru or rnn, got '{cell}'");
        string? lengths = reader.Value("--lengths")?.ToLowerInvariant();
        if (lengths is not (null or "full" or "ragged"))
            throw new UsageException($"--lengths must be full or ragged, got '{lengths}'");
        int threads = reader.Int("--threads", 0, min: 0);
        bool glibcMalloc = reader.Flag("--glibc-malloc");
        reader.EnsureEmpty();
        return new RecurrentOptions(quick, help, rounds, headline, warmup, cell, lengths, threads, glibcMalloc);
    }
}
