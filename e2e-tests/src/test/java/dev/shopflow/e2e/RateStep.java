package dev.shopflow.e2e;

import dev.shopflow.e2e.Completions.Completion;
import dev.shopflow.e2e.Completions.MailCheck;
import dev.shopflow.e2e.OrderTraffic.Placed;
import java.util.Map;

/** One steady rate's results in {@link SteadyRates}; {@code notRun} says why it was not run, if it was not. */
final class RateStep {

    final int rate;
    final String notRun;
    final Placed placed;
    final double seconds;
    /** The step's orders by step end + {@link SteadyRates#GRACE}. */
    final Completion completion;

    final Map<String, GroupLag> lags;
    final String customer;
    /** The start of the step's CPU window; {@link #cpu} is the window, once the pipeline is quiet again. */
    final ContainerUsage.Snapshot cpuFrom;

    ContainerUsage.Window cpu;
    MailCheck mails;

    RateStep(
            int rate,
            String notRun,
            Placed placed,
            double seconds,
            Completion completion,
            Map<String, GroupLag> lags,
            String customer,
            ContainerUsage.Snapshot cpuFrom) {
        this.rate = rate;
        this.notRun = notRun;
        this.placed = placed;
        this.seconds = seconds;
        this.completion = completion;
        this.lags = lags;
        this.customer = customer;
        this.cpuFrom = cpuFrom;
    }

    static RateStep notRun(int rate, String why) {
        return new RateStep(rate, why, null, 0, null, Map.of(), "", null);
    }

    /**
     * The rate is sustained when every order was sent and accepted, every accepted order completed by the step's
     * end + {@link SteadyRates#GRACE}, and no group's lag grew.
     */
    boolean sustained() {
        return notRun == null
                && placed.accepted() > 0
                && placed.dropped() == 0
                && placed.failed() == 0
                && completion.completed() == placed.accepted()
                && lags.values().stream().allMatch(lag -> lag.sampled() && !lag.grew());
    }
}
