using ReviewHub.Apps;
using ReviewHub.Text;

namespace ReviewHub.Delivery;

/// <summary>
/// The words every channel uses for a review; each channel escapes and cuts them with <see cref="DisplayText"/>.
/// </summary>
internal static class ReviewText
{
    public static string Truncate(string? text, int max) => DisplayText.Truncate(text, max);

    public static string Heading(ReviewNotification review) =>
        $"{review.Stars} {Truncate(DisplayText.OneLine(review.Title ?? "(no title)"), 120)}";

    /// <summary>"Nickname · App Store · USA · date", or "Nickname · Google Play · date" (Play has no territory).
    /// </summary>
    public static string Byline(ReviewNotification review) =>
        $"{Truncate(DisplayText.OneLine(review.ReviewerNickname ?? "Anonymous"), 100)} · " +
        $"{Stores.DisplayName(review.Store)} · " +
        (review.Territory.Length > 0 ? $"{review.Territory} · " : "") + $"{review.CreatedAt:yyyy-MM-dd}";

    public static string Summary(ChannelSend send) => send.Reviews.Count == 1
        ? $"New {send.Reviews[0].Rating}-star review of {send.App.Name}"
        : $"{send.Reviews.Count} new reviews of {send.App.Name}";
}
