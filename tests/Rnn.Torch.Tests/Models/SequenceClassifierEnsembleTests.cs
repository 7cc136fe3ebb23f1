using TorchSharp;
using RnnMl.Torch.Models;
using static TorchSharp.torch;

namespace RnnMl.Torch.Tests.Models;

/// <summary><see cref="SequenceClassifierEnsemble"/>: its scores are the log of the members' mean softmax (brute force in
/// float64), one member passes through unchanged, and bad member lists fail naming the member and both values.</summary>
public class SequenceClassifierEnsembleTests
{
    private static SequenceClassifierOptions Shape(int classes = 7, int vocabulary = 11, PoolingKind pooling = PoolingKind.MeanMax) =>
        new() { VocabularySize = vocabulary, ClassCount = classes, EmbeddingSize = 5, HiddenSize = 3, Pooling = pooling };

    private static SequenceClassifier Member(int seed, SequenceClassifierOptions? shape = null)
    {
        manual_seed(seed);
        return SequenceClassifier.Create(shape ?? Shape());
    }

    private static (Tensor Tokens, Tensor Lengths) Batch() =>
        (tensor(new long[] { 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 1, 0, 0, 0, 0, 3, 3, 0, 0, 0 }).reshape(4, 5), tensor(new long[] { 5, 5, 2, 1 }));

    [Fact]
    public void Forward_IsTheLogOfTheMembersMeanSoftmax_InFloat64()
    {
        var members = new[] { Member(1), Member(2), Member(3) };
        using var ensemble = SequenceClassifierEnsemble.Create(members);
        ensemble.to(ScalarType.Float64);
        ensemble.eval();
        var (tokens, lengths) = Batch();
        using var _ = tokens; using var __ = lengths;
        using var scores = ensemble.forward(tokens, lengths);
        Assert.Equal(new long[] { 4, 7 }, scores.shape);

        // Brute force: each member's probabilities, their mean, its log, element by element.
        var probabilities = members.Select(m => { using var z = m.forward(tokens, lengths); using var p = z.softmax(1); return p.data<double>().ToArray(); }).ToArray();
        var actual = scores.data<double>().ToArray();
        for (int i = 0; i < actual.Length; i++)
        {
            double mean = probabilities.Sum(p => p[i]) / probabilities.Length;
            Assert.Equal(Math.Log(mean), actual[i], 12);
        }
        // The members disagree, so the mean of probabilities is not the mean of logits (which the check above would reject).
        Assert.NotEqual(probabilities[0][0], probabilities[1][0], 6);
    }

    [Fact]
    public void Forward_OneMember_GivesItsLogitsUnchanged()
    {
        var member = Member(5, Shape(pooling: PoolingKind.Attention));
        using var ensemble = SequenceClassifierEnsemble.Create([member]);
        ensemble.eval();
        var (tokens, lengths) = Batch();
        using var _ = tokens; using var __ = lengths;
        using var alone = member.forward(tokens, lengths);
        using var through = ensemble.forward(tokens, lengths);
        Assert.Equal(alone.data<float>().ToArray(), through.data<float>().ToArray());
    }

    [Fact]
    public void Module_RegistersTheMembers_SoModeAndParametersReachThem()
    {
        using var ensemble = SequenceClassifierEnsemble.Create([Member(1), Member(2)]);
        ensemble.eval();
        Assert.All(ensemble.Members, m => Assert.False(m.training));
        ensemble.train();
        Assert.All(ensemble.Members, m => Assert.True(m.training));
        var names = ensemble.state_dict().Keys.ToList();
        Assert.Contains("members.0.embedding.weight", names);
        Assert.Contains("members.1.output.bias", names);
        using var third = Member(3);
        Assert.Equal(2 * third.state_dict().Count, names.Count);
    }

    [Fact]
    public void Create_RejectsBadMemberLists_NamingTheMemberAndBothValues()
    {
        Assert.Throws<ArgumentNullException>(() => SequenceClassifierEnsemble.Create(null!));
        var empty = Assert.Throws<ArgumentException>(() => SequenceClassifierEnsemble.Create([]));
        Assert.Equal("members", empty.ParamName);

        using var a = Member(1);
        using var classes = Member(2, Shape(classes: 3));
        var e = Assert.Throws<ArgumentException>(() => SequenceClassifierEnsemble.Create([a, classes]));
        Assert.Contains("member 1 has 3 classes, member 0 has 7", e.Message);

        using var vocabulary = Member(3, Shape(vocabulary: 13));
        e = Assert.Throws<ArgumentException>(() => SequenceClassifierEnsemble.Create([a, vocabulary]));
        Assert.Contains("member 1 has a vocabulary of 13 ids, member 0 of 11", e.Message);

        e = Assert.Throws<ArgumentException>(() => SequenceClassifierEnsemble.Create([a, a]));
        Assert.Contains("member 1 is the same model as member 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => SequenceClassifierEnsemble.Create([a, null!]));
        Assert.Contains("member 1 is null", e.Message);
    }

    [Fact]
    public void Dispose_DisposesTheMembers_AndEveryMemberThrowsAfterwards()
    {
        var members = new[] { Member(1), Member(2) };
        var ensemble = SequenceClassifierEnsemble.Create(members);
        var (tokens, lengths) = Batch();
        using var _ = tokens; using var __ = lengths;
        ensemble.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ensemble.forward(tokens, lengths));
        Assert.Throws<ObjectDisposedException>(() => ensemble.Members);
        Assert.Throws<ObjectDisposedException>(() => ensemble.ClassCount);
        Assert.All(members, m => Assert.Throws<ObjectDisposedException>(() => m.Options));
        ensemble.Dispose(); // twice does nothing
    }
}
