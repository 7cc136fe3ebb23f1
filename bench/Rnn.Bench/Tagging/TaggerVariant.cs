using System.Globalization;
using RnnMl.Torch.Models;
using RnnMl.Torch.Training;

namespace RnnMl.Bench.Tagging;

/// <summary>One tagger configuration of the benchmark: a name and what it switches on.</summary>
/// <param name="Name">softmax, crf, char-softmax or char-crf.</param>
/// <param name="Crf">Whether a CRF decodes the tags.</param>
/// <param name="Characters">Whether the character-level word encoder is on.</param>
internal sealed record TaggerVariant(string Name, bool Crf, bool Characters)
{
    public static readonly TaggerVariant[] All =
    [
        new("softmax", false, false),
        new("crf", true, false),
        new("char-softmax", false, true),
        new("char-crf", true, true),
    ];
}

/// <summary>The training settings every variant shares.</summary>
internal sealed record TaggerSettings(int Embedding, int Hidden, int Layers, double Dropout, int CharEmbedding, int CharHidden,
    double LearningRate, int BatchSize, int Epochs, int Patience, double Minutes, LearningRateSchedule Schedule, double WordDropout,
    double FrequencyWordDropout, CharacterEncoderKind CharEncoder, int Casing = 0, double Holdout = 0, double Warmup = 0.1, bool DevEachEpoch = false,
    RnnMl.Text.WordVectors? Vectors = null, bool FreezeVectors = false)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"embedding {Embedding}, BiLSTM {Layers}×{Hidden}, dropout {Dropout}, word dropout {WordDropout}, frequency word dropout α {FrequencyWordDropout}, characters ({CharEncoder}) {CharEmbedding}→2×{CharHidden}, casing {Casing}{(Vectors is null ? "" : $", pretrained vectors ({(FreezeVectors ? "frozen" : "fine-tuned")})")}; Adam {LearningRate} {ScheduleText}, batch {BatchSize}, ≤{Epochs} epochs (patience {Patience}), budget {Minutes} min; early stopping on {Validation}");

    private string ScheduleText => Schedule switch
    {
        LearningRateSchedule.ReduceOnPlateau => $"halved on each {Validation} plateau",
        LearningRateSchedule.WarmupCosine or LearningRateSchedule.WarmupLinearDecay => string.Create(CultureInfo.InvariantCulture, $"{Schedule} (warm-up {Warmup:P0})"),
        _ => Schedule.ToString(),
    };

    /// <summary>What early stopping and the plateau schedule watch.</summary>
    public string Validation => Holdout > 0 ? string.Create(CultureInfo.InvariantCulture, $"{Holdout:P0} of train held out") : "dev";
}

/// <summary>What training and tagging one variant measured.</summary>
internal sealed record TaggerResult(TaggerVariant Variant, double DevAccuracy, double TrainSeconds, double TrainTokensPerSecond,
    double TagSentencesPerSecond, double OnnxSentencesPerSecond, double OnnxAgreement, int Epochs, int BestEpoch, SequenceTagger Model);
