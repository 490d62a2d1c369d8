package backpropcl.selftest;

import backpropcl.engine.RelativeError;
/**
 * The worst error of one role over a check case.
 *
 * @param role  what was compared
 * @param error the largest error seen (relative, see {@link RelativeError}; infinite for NaN)
 * @param where where that largest error was, e.g. "step 2 (batch 17), layer 1"
 */
public record RoleResult(Role role, double error, String where) {

    public double tolerance() {
        return role.tolerance();
    }

    public boolean pass() {
        return error <= role.tolerance();
    }
}
