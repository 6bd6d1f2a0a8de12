package dev.shopflow.order;

/** One offending field of a rejected request, as listed in the problem's {@code errors}. */
record FieldProblem(String field, String message) {}
