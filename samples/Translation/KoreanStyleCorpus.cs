namespace RnnMl.Samples.Translation;

/// <summary>
/// Generates the sample's built-in parallel corpus: English sentences and Korean translations in Korean word order
/// (subject–object–verb, particles attached to nouns), e.g. "I am a student." → "나는 학생이다.",
/// "she did not buy the red bag yesterday." → "그녀는 어제 빨간 가방을 사지 않았다.".
/// </summary>
/// <remarks>
/// Sentences are copulas ("X is (not) a N"), adjective predicates ("X is (not) ADJ") and transitive clauses with an
/// object, an optional adjective, an optional place and an optional time word, in present, past or future, affirmative or
/// negative. The English side changes verb forms with person and tense ("eats", "ate", "does not eat", "will not eat");
/// the Korean side moves the verb to the end, the time word after the subject, puts the place before the object, picks
/// particles by whether the noun ends in a consonant (은/는, 이/가, 을/를, 이다/다) and conjugates the verb and the negation
/// at the end of the sentence, so word-by-word copying cannot work and the decoder has to look back at the right words.
/// </remarks>
public static class KoreanStyleCorpus
{
    private enum Person { First, Second, Third, Plural }

    private sealed record Subject(string English, string Korean, Person Person);
    private sealed record Noun(string English, string Plural, string Korean);
    private sealed record Adjective(string English, string Korean, string Attributive, string Past);
    private sealed record Verb(string Base, string Third, string Past, string Stem, string Present, string KoreanPast, string Future);
    private sealed record Place(string English, string Korean);

    private static readonly Subject[] People =
    {
        new("I", "나", Person.First), new("you", "너", Person.Second), new("he", "그", Person.Third), new("she", "그녀", Person.Third),
        new("we", "우리", Person.Plural), new("they", "그들", Person.Plural), new("the teacher", "선생님", Person.Third),
        new("the student", "학생", Person.Third), new("my friend", "내 친구", Person.Third), new("the child", "아이", Person.Third),
        new("the doctor", "의사", Person.Third), new("my brother", "내 동생", Person.Third),
    };

    private static readonly Noun[] Jobs =
    {
        new("student", "students", "학생"), new("teacher", "teachers", "선생님"), new("doctor", "doctors", "의사"),
        new("singer", "singers", "가수"), new("cook", "cooks", "요리사"), new("painter", "painters", "화가"),
        new("nurse", "nurses", "간호사"), new("farmer", "farmers", "농부"), new("writer", "writers", "작가"),
        new("engineer", "engineers", "기술자"),
    };

    private static readonly Noun[] Things =
    {
        new("book", "books", "책"), new("apple", "apples", "사과"), new("bread", "bread", "빵"), new("letter", "letters", "편지"),
        new("movie", "movies", "영화"), new("song", "songs", "노래"), new("car", "cars", "차"), new("house", "houses", "집"),
        new("picture", "pictures", "그림"), new("coffee", "coffee", "커피"), new("cake", "cakes", "케이크"), new("bag", "bags", "가방"),
        new("computer", "computers", "컴퓨터"), new("newspaper", "newspapers", "신문"), new("flower", "flowers", "꽃"),
        new("chair", "chairs", "의자"), new("door", "doors", "문"), new("shirt", "shirts", "셔츠"),
    };

    private static readonly Adjective[] Adjectives =
    {
        new("big", "크다", "큰", "컸다"), new("small", "작다", "작은", "작았다"), new("pretty", "예쁘다", "예쁜", "예뻤다"),
        new("cheap", "싸다", "싼", "쌌다"), new("expensive", "비싸다", "비싼", "비쌌다"), new("red", "빨갛다", "빨간", "빨갰다"),
        new("hot", "뜨겁다", "뜨거운", "뜨거웠다"), new("cold", "차갑다", "차가운", "차가웠다"), new("old", "낡다", "낡은", "낡았다"),
        new("new", "새롭다", "새로운", "새로웠다"), new("good", "좋다", "좋은", "좋았다"), new("busy", "바쁘다", "바쁜", "바빴다"),
    };

    private static readonly Verb[] Verbs =
    {
        new("eat", "eats", "ate", "먹", "먹는다", "먹었다", "먹을 것이다"),
        new("read", "reads", "read", "읽", "읽는다", "읽었다", "읽을 것이다"),
        new("buy", "buys", "bought", "사", "산다", "샀다", "살 것이다"),
        new("see", "sees", "saw", "보", "본다", "봤다", "볼 것이다"),
        new("like", "likes", "liked", "좋아하", "좋아한다", "좋아했다", "좋아할 것이다"),
        new("make", "makes", "made", "만들", "만든다", "만들었다", "만들 것이다"),
        new("write", "writes", "wrote", "쓰", "쓴다", "썼다", "쓸 것이다"),
        new("sell", "sells", "sold", "팔", "판다", "팔았다", "팔 것이다"),
        new("want", "wants", "wanted", "원하", "원한다", "원했다", "원할 것이다"),
        new("wash", "washes", "washed", "씻", "씻는다", "씻었다", "씻을 것이다"),
        new("open", "opens", "opened", "열", "연다", "열었다", "열 것이다"),
        new("find", "finds", "found", "찾", "찾는다", "찾았다", "찾을 것이다"),
    };

    private static readonly Place[] Places =
    {
        new("in the library", "도서관에서"), new("at school", "학교에서"), new("in the park", "공원에서"),
        new("in the kitchen", "부엌에서"), new("at the store", "가게에서"), new("in the office", "사무실에서"),
    };

    private enum Tense { Present, Past, Future }

    /// <summary>Distinct pairs (no English sentence twice), in a fixed order for a seed.</summary>
    /// <param name="count">How many pairs; at least 1.</param>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="exclude">English sentences not to produce (e.g. the training set's, for a disjoint test set).</param>
    public static IReadOnlyList<(string English, string Korean)> Generate(int count, int seed, ISet<string>? exclude = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var random = new Random(seed);
        var seen = new HashSet<string>(exclude ?? new HashSet<string>(), StringComparer.Ordinal);
        var pairs = new List<(string, string)>(count);
        int attempts = 0;
        while (pairs.Count < count)
        {
            if (++attempts > count * 50)
                throw new InvalidOperationException($"could only make {pairs.Count} distinct pairs of the {count} asked for");
            var pair = Sentence(random);
            if (seen.Add(pair.English)) pairs.Add(pair);
        }
        return pairs;
    }

    private static (string English, string Korean) Sentence(Random r)
    {
        var tense = (Tense)r.Next(3);
        bool negative = r.Next(3) == 0;
        int kind = r.Next(10);
        if (kind < 2) return Copula(r, tense == Tense.Future ? Tense.Present : tense, negative);
        if (kind < 4) return Predicate(r, tense == Tense.Future ? Tense.Past : tense, negative);
        return Clause(r, tense, negative);
    }

    // "I am (not) a student." → "나는 학생이다." / "나는 학생이 아니다."
    private static (string, string) Copula(Random r, Tense tense, bool negative)
    {
        var s = Pick(r, People);
        var job = Pick(r, Jobs);
        bool plural = s.Person == Person.Plural;
        string noun = plural ? job.Plural : $"{Article(job.English)} {job.English}";
        string english = $"{s.English} {Be(s.Person, tense)}{(negative ? " not" : "")} {noun}";
        string korean = negative
            ? $"{Topic(s.Korean)} {job.Korean}{(Final(job.Korean) ? "이" : "가")} {(tense == Tense.Past ? "아니었다" : "아니다")}"
            : $"{Topic(s.Korean)} {job.Korean}{Copula(job.Korean, tense)}";
        return Finish(english, korean);
    }

    // "the book is (not) expensive." → "책은 비싸다." / "책은 비싸지 않다."
    private static (string, string) Predicate(Random r, Tense tense, bool negative)
    {
        var adjective = Pick(r, Adjectives);
        Subject s;
        if (r.Next(2) == 0) s = Pick(r, People);
        else
        {
            var thing = Pick(r, Things);
            s = new Subject($"the {thing.English}", thing.Korean, Person.Third);
        }
        string english = $"{s.English} {Be(s.Person, tense)}{(negative ? " not" : "")} {adjective.English}";
        string stem = adjective.Korean[..^1];
        string predicate = negative
            ? $"{stem}지 {(tense == Tense.Past ? "않았다" : "않다")}"
            : tense == Tense.Past ? adjective.Past : adjective.Korean;
        return Finish(english, $"{Topic(s.Korean)} {predicate}");
    }

    // "she did not buy the red bag in the park yesterday." → "그녀는 어제 공원에서 빨간 가방을 사지 않았다."
    private static (string, string) Clause(Random r, Tense tense, bool negative)
    {
        var s = Pick(r, People);
        var verb = Pick(r, Verbs);
        var thing = Pick(r, Things);
        var adjective = r.Next(2) == 0 ? Pick(r, Adjectives) : null;
        var place = r.Next(3) == 0 ? Pick(r, Places) : null;
        (string English, string Korean)? time = r.Next(3) != 0 ? null : tense switch
        {
            Tense.Past => ("yesterday", "어제"),
            Tense.Future => ("tomorrow", "내일"),
            _ => ("every day", "매일"),
        };

        string verbPhrase = (tense, negative) switch
        {
            (Tense.Present, false) => s.Person == Person.Third ? verb.Third : verb.Base,
            (Tense.Present, true) => $"{(s.Person == Person.Third ? "does" : "do")} not {verb.Base}",
            (Tense.Past, false) => verb.Past,
            (Tense.Past, true) => $"did not {verb.Base}",
            (Tense.Future, false) => $"will {verb.Base}",
            _ => $"will not {verb.Base}",
        };
        string obj = $"the {(adjective is null ? "" : adjective.English + " ")}{thing.English}";
        string english = $"{s.English} {verbPhrase} {obj}{(place is null ? "" : " " + place.English)}{(time is null ? "" : " " + time.Value.English)}";

        string koreanVerb = (tense, negative) switch
        {
            (Tense.Present, false) => verb.Present,
            (Tense.Present, true) => $"{verb.Stem}지 않는다",
            (Tense.Past, false) => verb.KoreanPast,
            (Tense.Past, true) => $"{verb.Stem}지 않았다",
            (Tense.Future, false) => verb.Future,
            _ => $"{verb.Stem}지 않을 것이다",
        };
        var korean = new List<string> { Topic(s.Korean) };
        if (time is not null) korean.Add(time.Value.Korean);
        if (place is not null) korean.Add(place.Korean);
        if (adjective is not null) korean.Add(adjective.Attributive);
        korean.Add(thing.Korean + (Final(thing.Korean) ? "을" : "를"));
        korean.Add(koreanVerb);
        return Finish(english, string.Join(' ', korean));
    }

    private static (string, string) Finish(string english, string korean) => (char.ToUpperInvariant(english[0]) + english[1..] + ".", korean + ".");

    private static string Be(Person person, Tense tense) => (person, tense) switch
    {
        (Person.First, Tense.Present) => "am",
        (Person.Third, Tense.Present) => "is",
        (_, Tense.Present) => "are",
        (Person.First or Person.Third, _) => "was",
        _ => "were",
    };

    private static string Article(string noun) => "aeiou".Contains(noun[0]) ? "an" : "a";

    /// <summary>Whether the last syllable of a Hangul word has a final consonant (batchim), which picks the particle.</summary>
    public static bool Final(string word)
    {
        char c = word[^1];
        return c >= '\uAC00' && c <= '\uD7A3' && (c - 0xAC00) % 28 != 0;
    }

    private static string Topic(string noun) => noun + (Final(noun) ? "은" : "는");

    private static string Copula(string noun, Tense tense) => tense == Tense.Past
        ? (Final(noun) ? "이었다" : "였다")
        : (Final(noun) ? "이다" : "다");

    private static T Pick<T>(Random r, T[] items) => items[r.Next(items.Length)];
}
