package io.qwenimage.engine.scheduler;

import java.util.Locale;

/** How N inference timesteps are picked from the training schedule (diffusers' {@code timestep_spacing}). */
public enum TimestepSpacing {
    LINSPACE, LEADING, TRAILING;

    /** Parses diffusers' spelling ("linspace", "leading", "trailing"). */
    public static TimestepSpacing parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "linspace" -> LINSPACE;
            case "leading" -> LEADING;
            case "trailing" -> TRAILING;
            default -> throw new IllegalArgumentException("unknown timestep_spacing '" + value + "'");
        };
    }
}
