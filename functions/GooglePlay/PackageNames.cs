namespace ReviewHub.GooglePlay;

/// <summary>
/// Android application ids as Play identifies apps: two or more dot-separated segments, each starting with an ASCII
/// letter and holding ASCII letters, digits and underscores (e.g. <c>com.example.app</c>). Play is case-sensitive.
/// </summary>
internal static class PackageNames
{
    /// <summary>ReviewHub's limit: Play documents none; 255 is the longest file name Android installs under.</summary>
    public const int MaxLength = 255;

    public const string Rule = "must be the app's Android package name, e.g. com.example.app: two or more segments " +
        "separated by dots, each starting with a letter and holding only letters, digits and underscores.";

    public static bool IsValid(string? packageName)
    {
        if (string.IsNullOrEmpty(packageName) || packageName.Length > MaxLength)
        {
            return false;
        }
        var segments = packageName.Split('.');
        return segments.Length >= 2 && segments.All(segment => segment.Length > 0 && char.IsAsciiLetter(segment[0])
            && segment.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));
    }
}
