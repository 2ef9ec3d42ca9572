using System.Globalization;
using System.Text;
using ReviewHub.Apps;

namespace ReviewHub.ReplyAutomation;

/// <summary>
/// The template syntax: <c>{{name}}</c> (spaces inside the braces allowed) for one of <see cref="Names"/>, nothing
/// else — no expressions, filters, loops or member access. Every <c>{{</c> must open a known placeholder and every
/// <c>}}</c> close one; anything else is rejected when the template is saved. Rendering is one left-to-right pass that
/// never re-reads what it inserted, so a reviewer's nickname such as <c>{{appName}}</c> stays literal text. Why not a
/// template engine: docs/replies.md, "Templates".
/// </summary>
internal static class ReplyPlaceholders
{
    public const string Nickname = "nickname";
    public const string AppName = "appName";
    public const string Rating = "rating";
    public const string Territory = "territory";
    public const string Store = "store";

    public static readonly IReadOnlyList<string> Names = [Nickname, AppName, Rating, Territory, Store];

    /// <summary>What is wrong with <paramref name="template"/>'s placeholders (empty when nothing).</summary>
    public static IReadOnlyList<string> Problems(string template)
    {
        var problems = new List<string>();
        var known = string.Join(", ", Names.Select(n => $"{{{{{n}}}}}"));
        Walk(template, _ => { }, _ => { },
            name => problems.Add($"'{{{{{name}}}}}' is not a placeholder; use one of: {known}."), problems.Add);
        return problems;
    }

    /// <summary>The template with every placeholder replaced; call only for a template without
    /// <see cref="Problems"/>.</summary>
    public static string Render(string template, PlaceholderValues values)
    {
        var output = new StringBuilder(template.Length + 64);
        Walk(template, text => output.Append(text), name => output.Append(name switch
        {
            Nickname => values.Nickname,
            AppName => values.AppName,
            Rating => values.Rating.ToString(CultureInfo.InvariantCulture),
            Territory => values.Territory,
            _ => values.Store,
        }), name => throw new InvalidOperationException($"Unknown placeholder {name}: validate templates before use."),
            problem => throw new InvalidOperationException(problem));
        return output.ToString();
    }

    /// <summary>
    /// Splits the template into literal text and placeholders: a known name goes to <paramref name="known"/>, an
    /// unknown one to <paramref name="unknown"/>; braces that open or close nothing go to <paramref name="malformed"/>.
    /// </summary>
    private static void Walk(
        string template, Action<string> literal, Action<string> known, Action<string> unknown,
        Action<string> malformed)
    {
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf("{{", at, StringComparison.Ordinal);
            var strayClose = template.IndexOf("}}", at, StringComparison.Ordinal);
            if (strayClose >= 0 && (open < 0 || strayClose < open))
            {
                malformed($"'}}}}' at position {strayClose} closes no placeholder.");
                literal(template[at..(strayClose + 2)]);
                at = strayClose + 2;
                continue;
            }
            if (open < 0)
            {
                literal(template[at..]);
                return;
            }
            literal(template[at..open]);
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var nested = template.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (close < 0 || (nested >= 0 && nested < close))
            {
                malformed($"'{{{{' at position {open} opens a placeholder that is not closed with '}}}}'.");
                literal(template[open..(open + 2)]);
                at = open + 2;
                continue;
            }
            var name = template[(open + 2)..close].Trim();
            if (Names.Contains(name, StringComparer.Ordinal))
            {
                known(name);
            }
            else
            {
                unknown(name.Length > 40 ? name[..40] + "…" : name);
            }
            at = close + 2;
        }
    }
}

/// <summary>The longest reply each store accepts, and the store's name as templates show it.</summary>
internal static class StoreLimits
{
    public const string AppStore = "appStore";
    public const string GooglePlay = "googlePlay";

    public static readonly IReadOnlyList<string> Stores = [AppStore, GooglePlay];

    /// <summary>Google Play's limit for a developer reply.</summary>
    public const int GooglePlayMaxReplyLength = ReviewHub.GooglePlay.GooglePlayOptions.MaxReplyLength;

    public static string StoreOf(AppEntity app) =>
        app.Platform is Platforms.Ios or Platforms.MacOs ? AppStore : GooglePlay;

    public static string StoreName(AppEntity app) => StoreOf(app) == AppStore ? "App Store" : "Google Play";

    public static int MaxReplyLength(AppEntity app) =>
        StoreOf(app) == AppStore ? Replies.ReplyOptions.MaxBodyLength : GooglePlayMaxReplyLength;
}
