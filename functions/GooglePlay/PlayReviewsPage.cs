namespace ReviewHub.GooglePlay;

/// <summary>A page of <c>reviews.list</c>, newest change first; <see cref="NextPageToken"/> null on the last.</summary>
internal sealed record PlayReviewsPage(IReadOnlyList<PlayReview> Reviews, string? NextPageToken);
