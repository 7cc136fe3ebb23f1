using System.Text;
using RnnMl.MLNet.Translation;
using ScottPlot;
using SkiaSharp;

namespace RnnMl.Samples.Translation;

/// <summary>Draws where the decoder looked: one row per output token, one column per source token, darker = more weight.</summary>
internal static class AttentionHeatmap
{
    /// <summary>Writes the PNG; returns a note when Hangul had to be romanised because no installed font has Hangul glyphs.</summary>
    public static string? Save(TranslationAttention attention, string path)
    {
        int rows = attention.TargetTokens.Length, columns = attention.SourceTokens.Length;
        var values = new double[rows, columns];
        for (int t = 0; t < rows; t++)
            for (int s = 0; s < columns; s++)
                values[t, s] = attention.Weights[t][s];

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap).Label = "attention weight";

        string? note = null;
        bool hangul = attention.SourceTokens.Concat(attention.TargetTokens).Any(t => t.Any(IsHangul));
        bool canDraw = !hangul || SKFontManager.Default.MatchCharacter('한') is not null;
        if (!canDraw) note = "no installed font has Hangul glyphs, so the heat map's Korean labels are romanised";
        string Label(string token) => canDraw ? token : Romanise(token);
        if (canDraw && hangul)
        {
            var font = Fonts.Detect("한국어");
            plot.Axes.Left.TickLabelStyle.FontName = font;
            plot.Axes.Bottom.TickLabelStyle.FontName = font;
        }

        // Heat map cells are centred on integer coordinates; row 0 (the first output token) is drawn at the top.
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, columns).Select(i => (double)i).ToArray(), attention.SourceTokens.Select(Label).ToArray());
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows).Select(i => (double)(rows - 1 - i)).ToArray(), attention.TargetTokens.Select(Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 90;
        plot.XLabel("source");
        plot.YLabel("translation");
        plot.Title(canDraw ? string.Join(' ', attention.SourceTokens) : Romanise(string.Join(' ', attention.SourceTokens)));
        plot.SavePng(path, 120 + 70 * Math.Max(columns, 4), 160 + 45 * Math.Max(rows, 4));
        return note;
    }

    private static bool IsHangul(char c) => c >= '\uAC00' && c <= '\uD7A3';

    private static readonly string[] Initials = { "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h" };
    private static readonly string[] Medials = { "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i" };
    private static readonly string[] Finals = { "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t" };

    /// <summary>Revised Romanisation, syllable by syllable (without the sound changes across syllables).</summary>
    public static string Romanise(string text)
    {
        var b = new StringBuilder();
        foreach (char c in text)
        {
            if (!IsHangul(c)) { b.Append(c); continue; }
            int index = c - 0xAC00;
            b.Append(Initials[index / (21 * 28)]).Append(Medials[index / 28 % 21]).Append(Finals[index % 28]);
        }
        return b.ToString();
    }
}
