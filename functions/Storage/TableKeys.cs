namespace ReviewHub.Storage;

/// <summary>
/// What Table Storage accepts as a PartitionKey or RowKey: at most 1 KiB (512 UTF-16 characters) and none of
/// <c>/ \ # ?</c> or control characters. Any value from a caller that becomes a key is checked against this first,
/// so bad input answers 400 instead of failing in storage (which surfaces as 503).
/// </summary>
internal static class TableKeys
{
    public const int MaxLength = 512;

    public const string Rule = "must be at most 512 characters, without /, \\, #, ? or control characters.";

    public static bool IsValid(string? value) => value is { Length: > 0 and <= MaxLength } && !value.Any(IsForbidden);

    public static bool IsForbidden(char c) => c is '/' or '\\' or '#' or '?' || char.IsControl(c);
}
