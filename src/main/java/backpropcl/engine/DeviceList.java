package backpropcl.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The value of {@code --devices}: "all" or OpenCL device indices separated by commas ("0,1"), each
 * at most once, checked against the devices there are. Any usable OpenCL devices can train
 * together, whatever their kind: the host sums their gradients.
 */
public final class DeviceList {
    private DeviceList() {
    }

    /**
     * The indices {@code value} names, in its order, among {@code count} devices.
     *
     * @throws IllegalArgumentException one line naming --devices and what was expected
     */
    public static List<Integer> parse(String value, int count) {
        String v = value.trim();
        if (count == 0) {
            throw new IllegalArgumentException("--devices " + value + ": there is no OpenCL device (see 'backprop-cl devices')");
        }
        List<Integer> out = new ArrayList<>();
        if (v.equalsIgnoreCase("all")) {
            for (int i = 0; i < count; i++) {
                out.add(i);
            }
            return out;
        }
        for (String part : v.split(",", -1)) {
            int index;
            try {
                index = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--devices " + value + ": expected device indices separated by commas (0,1) or all, "
                        + "got '" + part.trim() + "'");
            }
            if (index < 0 || index >= count) {
                throw new IllegalArgumentException("--devices " + value + ": device " + index + " does not exist: devices are 0.."
                        + (count - 1) + " (see 'backprop-cl devices')");
            }
            if (out.contains(index)) {
                throw new IllegalArgumentException("--devices " + value + ": device " + index + " is given twice");
            }
            out.add(index);
        }
        return out;
    }
}
