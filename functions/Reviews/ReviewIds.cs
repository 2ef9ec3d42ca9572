namespace ReviewHub.Reviews;

/// <summary>
/// Review ids: App Store Connect's "00000028-b08c-…", the feed's numeric ids and Google Play's "gp:AOqpTO…"
/// (letters, digits, '-', '_' and ':'). Anything else cannot name a row, and every endpoint that takes a review id
/// answers it with 404 (the one check, so reviews and replies accept the same ids).
/// </summary>
internal static class ReviewIds
{
    /// <summary>Far above Apple's ids (36 characters), far below a table key's 1 KiB.</summary>
    public const int MaxLength = 128;

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength }
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':');
}
