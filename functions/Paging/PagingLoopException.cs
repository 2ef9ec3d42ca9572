namespace ReviewHub.Paging;

/// <summary>
/// A paging loop stopped because its source sent it back to a page it had already read (a repeated cursor or page), or
/// because it reached its page limit. Following such a cursor would never end, or would spend requests on pages read
/// before.
/// </summary>
internal sealed class PagingLoopException(string message) : Exception(message);
