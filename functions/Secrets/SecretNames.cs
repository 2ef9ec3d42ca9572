namespace ReviewHub.Secrets;

/// <summary>Names secrets so they are valid Key Vault names and never collide across accounts.</summary>
internal static class SecretNames
{
    public static string For(string purpose, params string[] keys) =>
        Validate(string.Join('-', [purpose, .. keys]).ToLowerInvariant());

    public static string Validate(string name) =>
        name.Length is > 0 and <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? name
            : throw new ArgumentException(
            $"'{name}' is not a valid secret name (letters, digits and dashes, at most 127).");
}
