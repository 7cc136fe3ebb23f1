namespace RnnMl.Samples.Translation.Tests;

public class KoreanStyleCorpusTests
{
    [Theory]
    [InlineData("학생", true)]
    [InlineData("의사", false)]
    [InlineData("책", true)]
    [InlineData("사과", false)]
    public void Final_TellsWhetherTheLastSyllableEndsInAConsonant(string word, bool expected)
        => Assert.Equal(expected, KoreanStyleCorpus.Final(word));

    [Fact]
    public void Generate_IsDeterministicDistinctAndInKoreanWordOrder()
    {
        var a = KoreanStyleCorpus.Generate(2000, 7);
        var b = KoreanStyleCorpus.Generate(2000, 7);
        Assert.Equal(a, b);
        Assert.Equal(a.Count, a.Select(p => p.English).Distinct().Count());
        // Particles follow the noun's last sound and the verb comes last, e.g. "I am a student." → "나는 학생이다."
        var student = a.Where(p => p.English == "I am a student.").ToList();
        Assert.All(student, p => Assert.Equal("나는 학생이다.", p.Korean));
        Assert.Contains(a, p => p.English.StartsWith("I did not ", StringComparison.Ordinal) && p.Korean.EndsWith("지 않았다.", StringComparison.Ordinal));
        Assert.DoesNotContain(a, p => p.Korean.Contains("책를") || p.Korean.Contains("사과을") || p.Korean.Contains("나은"));
        Assert.All(a.Where(p => p.English.EndsWith(" yesterday.", StringComparison.Ordinal)), p => Assert.Contains(" 어제 ", p.Korean));
    }

    [Fact]
    public void Generate_WithExclusions_GivesAHeldOutSetDisjointFromTraining()
    {
        var train = KoreanStyleCorpus.Generate(3000, 1);
        var test = KoreanStyleCorpus.Generate(300, 2, train.Select(p => p.English).ToHashSet());
        Assert.Empty(test.Select(p => p.English).Intersect(train.Select(p => p.English)));
    }

    [Fact]
    public void Romanise_WritesHangulInRevisedRomanisation()
        => Assert.Equal("naneun haksaengida.", AttentionHeatmap.Romanise("나는 학생이다."));
}
