package io.qwenimage.engine.scheduler;

/**
 * A schedule that cannot be run as diffusers would run it: the model's scheduler config rules the scheduler out, or
 * the steps and strength leave no valid timestep list (diffusers raises for the same combinations). The request
 * that asked for it is invalid; {@link #field} names the parameter to change.
 */
public class ScheduleRefusedException extends IllegalArgumentException {

    private final String field;

    public ScheduleRefusedException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request parameter at fault: scheduler, num_inference_steps or strength. */
    public String field() {
        return field;
    }
}
