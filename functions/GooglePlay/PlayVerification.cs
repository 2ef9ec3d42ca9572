namespace ReviewHub.GooglePlay;

/// <summary>
/// The verification orchestration's input: one "I've invited" attempt and the timings it runs on (tests pass
/// milliseconds). Polls back off from <see cref="FirstPollInterval"/>, doubling up to <see cref="MaxPollInterval"/>
/// (<see cref="Round"/> carries the backoff over a continue-as-new).
/// </summary>
internal sealed record PlayVerification(
    string AccountId, string AttemptId, TimeSpan FirstPollInterval, TimeSpan MaxPollInterval,
    int ActivityMaxAttempts, TimeSpan ActivityFirstRetryInterval, int RoundsPerExecution = 24, int Round = 0)
{
    /// <summary>The wait before poll <paramref name="round"/>'s successor: doubling, capped.</summary>
    public TimeSpan PollIntervalAfter(int round) =>
        TimeSpan.FromTicks((long)Math.Min(MaxPollInterval.Ticks, FirstPollInterval.Ticks * Math.Pow(2, round)));
}

/// <summary>What one check found.</summary>
internal enum PlayCheckState
{
    /// <summary>The row no longer runs this attempt (disconnected, account removed): stop.</summary>
    Gone,
    /// <summary>Not readable yet (or operators must act): poll again.</summary>
    Waiting,
    /// <summary>Readable: the connection is active.</summary>
    Verified,
}

/// <summary>
/// A check's answer and whether the customer's deadline has come by the activities' clock. <c>OperatorsLate</c>: the
/// deadline passed while ReviewHub's operators must act (not the customer's failure: the owner is told of the delay).
/// </summary>
internal sealed record PlayCheckResult(PlayCheckState State, bool DeadlineReached, bool OperatorsLate = false);

/// <summary>An owner email of an attempt.</summary>
internal sealed record PlayOwnerEmailRequest(string AccountId, PlayOwnerEmail Email);
