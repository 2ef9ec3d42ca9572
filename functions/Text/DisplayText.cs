using System.Globalization;
using System.Text;

namespace ReviewHub.Text;

/// <summary>
/// Text that people chose (review bodies, app and route names) shown in another system: cut to that system's limit
/// between grapheme clusters (never inside a surrogate pair, an emoji sequence or a letter with its accents), measured
/// after the system's escaping so an escape sequence is never cut in half, and kept on one line where a line break
/// would change meaning (email subjects, ticket subjects).
/// </summary>
internal static class DisplayText
{
    public const string Ellipsis = "…";

    /// <summary>
    /// <paramref name="text"/> escaped by <paramref name="escape"/> (none by default), at most <paramref name="max"/>
    /// characters long; when it had to be cut, whole grapheme clusters up to the limit followed by an ellipsis.
    /// <paramref name="escape"/> must work character by character (as HTML and Slack escaping do).
    /// </summary>
    public static string Truncate(string? text, int max, Func<string, string>? escape = null)
    {
        if (string.IsNullOrEmpty(text) || max <= 0)
        {
            return string.Empty;
        }
        escape ??= static s => s;
        var whole = escape(text);
        if (whole.Length <= max)
        {
            return whole;
        }
        var budget = max - Ellipsis.Length;
        var cut = new StringBuilder(max);
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var piece = escape(elements.GetTextElement());
            if (cut.Length + piece.Length > budget)
            {
                break;
            }
            cut.Append(piece);
        }
        return cut.ToString() + Ellipsis;
    }

    /// <summary>
    /// One line: control characters and line or paragraph separators become spaces, runs of spaces one.
    /// </summary>
    public static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        var line = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var blank = char.IsControl(c) || c is '\u2028' or '\u2029' || char.IsWhiteSpace(c);
            if (!blank)
            {
                line.Append(c);
            }
            else if (line.Length > 0 && line[^1] != ' ')
            {
                line.Append(' ');
            }
        }
        return line.ToString().TrimEnd();
    }
}
