"""How often would an unmarked video pass the watermark's detection threshold? An estimate from decoy searches.

A million unmarked videos cannot be read in a benchmark, so the rate at the threshold (1e-9, chosen so that the
rate is below one video in a million) is reached in two steps:
1. Counted: the decoys' p-values (patterns no video carries, each searched for exactly as the pilot is) give the
   fraction below alpha directly, down to about 1 / (number of decoys).
2. Extrapolated: the tail of x = -log10(p) above u = 2 (p < 0.01) is fitted with a generalised Pareto distribution
   (maximum likelihood, the peaks-over-threshold method of extreme-value statistics). An honest p-value has
   S(x) = 10^-x: shape 0 and scale 1/ln 10 = 0.434. The estimate is the fitted tail at the threshold; the upper
   bound is the largest tail of any (shape, scale) in the fit's joint 95 % likelihood region (2 * drop <= 5.99),
   times the 97.5 % upper bound of the fraction above u.

A video is taken for marked when 2 * s < the threshold (1e-9), where s is the pilot's p times 2^-16 when the decoded bits pass
their CRC (which, from bits no mark wrote, they do with chance 2^-16). So the false-positive rate per video is
P(pilot p < threshold / 2) + 2^-16 * P(pilot p < 2^15 * threshold), both taken from the decoys.

Pure Python (no SciPy): grids for the likelihood, the Wilson-Hilferty approximation for chi-square quantiles.
"""
import math

THRESHOLD = 1e-9  # WatermarkReading.threshold in Sources/PhimWatermark/WatermarkAnalysis.swift


def chi2_quantile(q, k):
    """Wilson-Hilferty approximation of the chi-square quantile (good to a few per cent from k = 3 up)."""
    z = normal_quantile(q)
    return k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3


def normal_quantile(q):
    """Inverse of the standard normal CDF by bisection on erf (plenty for a few quantiles)."""
    lo, hi = -10.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def binomial_upper(k, n, confidence=0.975):
    """Clopper-Pearson upper bound for a proportion (k of n), by bisection on the binomial CDF."""
    if k >= n:
        return 1.0
    def cdf(p):  # P(X <= k) for X ~ Binomial(n, p), summed in log space
        total, log_term = 0.0, n * math.log1p(-p)
        for i in range(k + 1):
            total += math.exp(log_term)
            log_term += math.log((n - i) / (i + 1)) + math.log(p) - math.log1p(-p)
        return total
    lo, hi = k / n, 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if cdf(mid) > 1 - confidence:
            lo = mid
        else:
            hi = mid
    return hi


def gpd_loglik(excess, shape, scale):
    if scale <= 0:
        return -math.inf
    n = len(excess)
    if abs(shape) < 1e-9:
        return -n * math.log(scale) - sum(excess) / scale
    total = 0.0
    for y in excess:
        t = 1 + shape * y / scale
        if t <= 0:
            return -math.inf
        total += math.log(t)
    return -n * math.log(scale) - (1 + 1 / shape) * total


def gpd_survival(y, shape, scale):
    """P(excess > y) under the fitted tail."""
    if abs(shape) < 1e-9:
        return math.exp(-y / scale)
    t = 1 + shape * y / scale
    return 0.0 if t <= 0 else t ** (-1 / shape)


def fit_tail(pvalues, u=2.0):
    """The generalised Pareto fit of -log10(p) above u: a dict of the counts, the fit and the grid's likelihoods."""
    xs = [-math.log10(max(p, 1e-300)) for p in pvalues]
    excess = [x - u for x in xs if x > u]
    n, k = len(xs), len(excess)
    if k < 10:
        return {"n": n, "k": k}
    mean = sum(excess) / k
    shapes = [i / 100 for i in range(-60, 101, 2)]
    scales = [mean * math.exp(j / 40) for j in range(-80, 81)]
    grid = [(shape, scale, gpd_loglik(excess, shape, scale)) for shape in shapes for scale in scales]
    best = max(grid, key=lambda g: g[2])
    return {"n": n, "k": k, "u": u, "excess": excess, "grid": grid, "best": best,
            "exponential_scale": mean,
            "exponential_scale_upper": 2 * k * mean / chi2_quantile(0.05, 2 * k)}


def rate_below(pvalues, alpha, fit):
    """The fraction of p-values below alpha: counted, and from the tail fit an estimate, a 95 % upper bound for an
    exponential tail (the shape the binomial model gives -log10 p: shape 0) and one for any shape in the fit's
    likelihood region. Where alpha is within the counts' reach the counted bound caps both."""
    n = len(pvalues)
    counted = sum(1 for p in pvalues if p < alpha)
    counted_upper = binomial_upper(counted, n)
    x = -math.log10(alpha)
    if "best" not in fit or x <= fit["u"]:
        return counted, counted / n, counted_upper, counted_upper
    above = fit["k"] / n
    above_upper = binomial_upper(fit["k"], n)
    y = x - fit["u"]
    estimate = above * math.exp(-y / fit["exponential_scale"])
    exponential_upper = above_upper * math.exp(-y / fit["exponential_scale_upper"])
    shape, scale, best_ll = fit["best"]
    region = [g for g in fit["grid"] if 2 * (best_ll - g[2]) <= 5.99]
    any_shape_upper = above_upper * max(gpd_survival(y, s, c) for s, c, _ in region)
    return counted, estimate, min(exponential_upper, counted_upper), min(any_shape_upper, counted_upper)


def false_positive_rate(pvalues, fit, threshold=THRESHOLD):
    """Per video, P(2s < threshold) = P(p < threshold / 2) + 2^-16 * P(p < 2^15 * threshold): the estimate and the
    two upper bounds of ``rate_below``."""
    direct = rate_below(pvalues, threshold / 2, fit)[1:]
    crc = rate_below(pvalues, threshold * 2 ** 15, fit)[1:]
    return tuple(a + b / 65536 for a, b in zip(direct, crc))


def report(pvalues, threshold=THRESHOLD):
    """Lines to print and key=value fields for the summary line."""
    fit = fit_tail(pvalues)
    lines, fields = [], []
    if "best" not in fit:
        lines.append(f"tail fit: only {fit['k']} of {fit['n']} decoys below 0.01, too few to fit")
        return lines, fields
    shape, scale, best_ll = fit["best"]
    region = [g for g in fit["grid"] if 2 * (best_ll - g[2]) <= 5.99]
    lines.append(f"tail of -log10(p) above 2 ({fit['k']} of {fit['n']} decoys): generalised Pareto shape {shape:.2f} "
                 f"[{min(g[0] for g in region):.2f}, {max(g[0] for g in region):.2f}], scale {scale:.3f}; "
                 f"exponential scale {fit['exponential_scale']:.3f} (95 % upper {fit['exponential_scale_upper']:.3f}); "
                 f"an honest p-value: shape 0, scale 0.434")
    for alpha in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
        counted, estimate, upper, any_upper = rate_below(pvalues, alpha, fit)
        lines.append(f"  p < {alpha:g}: {counted} counted; rate {estimate:.2g}, 95 % upper {upper:.2g} (exponential "
                     f"tail), {any_upper:.2g} (any shape); honest: at most {alpha:g}")
    for other in (1e-6, 1e-7, 1e-8):
        rate, upper, any_upper = false_positive_rate(pvalues, fit, other)
        lines.append(f"  had the threshold been {other:g}: false-positive rate {rate:.2g} a video (95 % upper {upper:.2g} "
                     f"exponential, {any_upper:.2g} any shape)")
    rate, upper, any_upper = false_positive_rate(pvalues, fit, threshold)
    lines.append(f"false-positive rate per unmarked video at the {threshold:g} threshold: {rate:.2g} (95 % upper "
                 f"{upper:.2g} for an exponential tail, {any_upper:.2g} for any shape)")
    fields = [f"tail_shape={shape:.2f}", f"tail_scale={fit['exponential_scale']:.3f}", f"fp_rate={rate:.2g}",
              f"fp_rate_upper={upper:.2g}", f"fp_rate_upper_any_shape={any_upper:.2g}"]
    return lines, fields
