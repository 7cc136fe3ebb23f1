using RnnMl.Text.Tagging;

namespace RnnMl.Text.Tests.Tagging;

/// <summary><see cref="TagTransitionConstraints"/> for BIO and IOBES tag names, checked pair by pair, and <see cref="Viterbi"/> by hand.</summary>
public class TagTransitionConstraintsTests
{
    [Fact]
    public void Bio_IOfATypeFollowsOnlyBOrIOfThatType_AndNeverStarts()
    {
        string[] n = { "O", "B-PER", "I-PER", "B-LOC", "I-LOC" };
        var c = TagTransitionConstraints.FromTagNames(n, TagScheme.Bio);
        int Id(string tag) => Array.IndexOf(n, tag);
        Assert.False(c.IsAllowedStart(Id("I-PER")));
        Assert.True(c.IsAllowedStart(Id("B-PER")) && c.IsAllowedStart(Id("O")));
        Assert.All(n, t => Assert.True(c.IsAllowedEnd(Id(t))));
        Assert.False(c.IsAllowed(Id("O"), Id("I-PER")));
        Assert.False(c.IsAllowed(Id("B-LOC"), Id("I-PER")));
        Assert.False(c.IsAllowed(Id("I-LOC"), Id("I-PER")));
        Assert.True(c.IsAllowed(Id("B-PER"), Id("I-PER")));
        Assert.True(c.IsAllowed(Id("I-PER"), Id("I-PER")));
        Assert.True(c.IsAllowed(Id("I-PER"), Id("B-LOC")));
        Assert.True(c.IsAllowed(Id("I-PER"), Id("O")));
        Assert.True(c.IsAllowed(Id("O"), Id("B-PER")));
        // 25 pairs, of which 2·3 are disallowed (I-X after O, after B-Y, after I-Y).
        int disallowed = 0;
        for (int i = 0; i < n.Length; i++)
            for (int j = 0; j < n.Length; j++)
                if (!c.IsAllowed(i, j)) disallowed++;
        Assert.Equal(6, disallowed);
    }

    [Fact]
    public void Iobes_StartsEndsAndTransitionsFollowTheScheme()
    {
        string[] n = { "O", "B-X", "I-X", "E-X", "S-X", "B-Y" };
        var c = TagTransitionConstraints.FromTagNames(n, TagScheme.Iobes);
        int Id(string tag) => Array.IndexOf(n, tag);
        Assert.Equal(new[] { true, true, false, false, true, true }, n.Select(t => c.IsAllowedStart(Id(t))));
        Assert.Equal(new[] { true, false, false, true, true, false }, n.Select(t => c.IsAllowedEnd(Id(t))));
        Assert.True(c.IsAllowed(Id("B-X"), Id("I-X")));
        Assert.True(c.IsAllowed(Id("B-X"), Id("E-X")));
        Assert.True(c.IsAllowed(Id("I-X"), Id("E-X")));
        Assert.True(c.IsAllowed(Id("E-X"), Id("O")));
        Assert.True(c.IsAllowed(Id("S-X"), Id("S-X")));
        Assert.True(c.IsAllowed(Id("E-X"), Id("B-Y")));
        Assert.False(c.IsAllowed(Id("B-X"), Id("O")));
        Assert.False(c.IsAllowed(Id("B-X"), Id("B-Y")));
        Assert.False(c.IsAllowed(Id("B-Y"), Id("E-X")));
        Assert.False(c.IsAllowed(Id("E-X"), Id("I-X")));
        Assert.False(c.IsAllowed(Id("O"), Id("E-X")));
        Assert.True(c.Allows(new long[] { 1, 2, 3, 0, 4 }));
        Assert.False(c.Allows(new long[] { 1, 2 }));
    }

    [Fact]
    public void BadInput_NamesTheTagOrTheSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => TagTransitionConstraints.FromTagNames(new[] { "O", "NOUN" }, TagScheme.Bio));
        Assert.Contains("'NOUN'", ex.Message);
        Assert.Throws<ArgumentException>(() => TagTransitionConstraints.FromTagNames(new[] { "O", "S-X" }, TagScheme.Bio));
        Assert.Throws<ArgumentOutOfRangeException>(() => TagTransitionConstraints.FromTagNames(new[] { "O" }, TagScheme.Iob1));
        var sizes = Assert.Throws<ArgumentException>(() => TagTransitionConstraints.Create(new bool[3, 3], new bool[7], new bool[3]));
        Assert.Equal("allowedStart", sizes.ParamName);
        Assert.Contains("7", sizes.Message);
        var c = TagTransitionConstraints.FromTagNames(new[] { "O", "B-X", "I-X" }, TagScheme.Bio);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.IsAllowed(0, 7));
    }

    [Fact]
    public void Viterbi_HandComputed()
    {
        // K = 2, T' = 2. Paths: (0,0) = 0+1+0+0 = 1; (0,1) = 0+1−5+0.5 = −3.5; (1,0) = 1+0+2+0 = 3; (1,1) = 1+0+0+0.5 = 1.5.
        var (tags, score) = Viterbi.Decode(new[] { 1.0, 0, 0, 0.5 }, 2, new[] { 0.0, 1 }, new[] { 0.0, 0 }, new[] { 0.0, -5, 2, 0 });
        Assert.Equal(new long[] { 1, 0 }, tags);
        Assert.Equal(3.0, score, 12);
        Assert.Empty(Viterbi.Decode(ReadOnlySpan<double>.Empty, 0, new[] { 0.0 }, new[] { 0.0 }, new[] { 0.0 }).Tags);
        Assert.Throws<ArgumentException>(() => Viterbi.Decode(new double[7], 2, new[] { 0.0, 1 }, new[] { 0.0, 0 }, new[] { 0.0, -5, 2, 0 }));
    }

    [Theory]
    [InlineData("O", TagScheme.Bio, true)]
    [InlineData("B-PER", TagScheme.Bio, true)]
    [InlineData("I-LOC", TagScheme.Bio, true)]
    [InlineData("B-", TagScheme.Bio, false)]
    [InlineData("E-PER", TagScheme.Bio, false)]
    [InlineData("VERB", TagScheme.Bio, false)]
    [InlineData("Other", TagScheme.Bio, false)]
    [InlineData("BI-PER", TagScheme.Bio, false)]
    [InlineData("S-PER", TagScheme.Iobes, true)]
    [InlineData("E-PER", TagScheme.Iobes, true)]
    [InlineData("X-PER", TagScheme.Iobes, false)]
    public void BelongsTo_AgreesWithWhatFromTagNamesAccepts(string tag, TagScheme scheme, bool expected)
    {
        Assert.Equal(expected, TagTransitionConstraints.BelongsTo(tag, scheme));
        var names = new[] { "O", tag };
        if (expected) Assert.Equal(2, TagTransitionConstraints.FromTagNames(names, scheme).NumTags);
        else Assert.ThrowsAny<ArgumentException>(() => TagTransitionConstraints.FromTagNames(names, scheme));
    }
}
