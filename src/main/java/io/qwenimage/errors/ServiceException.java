package io.qwenimage.errors;

import java.util.Map;

/**
 * An error the client should see as it is: the exceptions of this service that know their own answer extend it
 * (the catalogue's table then needs no entry for them), and code that refuses a request throws it with a code of
 * the catalogue.
 */
public class ServiceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    public ServiceException(Problem problem) {
        super(problem.message());
        this.problem = problem;
    }

    public ServiceException(ErrorCode code, String message, Map<String, Object> details) {
        this(code.problem(message, details));
    }

    /** 422 {@code VALIDATION_ERROR} about one field. */
    public static ServiceException invalid(String field, String message) {
        return new ServiceException(ErrorCode.VALIDATION_ERROR, message, Map.of("field", field));
    }

    /** The answer. */
    public Problem problem() {
        return problem;
    }
}
