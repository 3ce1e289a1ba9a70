/* qnames.c: q's reserved words, which a --table name may not be (main.c
 * checks); q-language knowledge, beside qtext. */
#include "qnames.h"

#include <stdlib.h>
#include <string.h>

/* Sorted (bsearch): .Q.res of kdb+ 4.0/4.1, every name of the .q namespace
 * (`key`.q), and the q-SQL words `by`, `from`. */
static const char *const q_reserved[] = {
    "abs", "acos", "aj", "aj0", "ajf", "ajf0", "all", "and", "any", "asc", "asin", "asof",
    "atan", "attr", "avg", "avgs", "bin", "binr", "by", "ceiling", "cols", "cor", "cos",
    "count", "cov", "cross", "csv", "cut", "delete", "deltas", "desc", "dev", "differ",
    "distinct", "div", "do", "dsave", "each", "ej", "ema", "enlist", "eval", "except",
    "exec", "exit", "exp", "fby", "fills", "first", "fkeys", "flip", "floor", "from", "get",
    "getenv", "group", "gtime", "hclose", "hcount", "hdel", "hopen", "hsym", "iasc",
    "idesc", "if", "ij", "ijf", "in", "insert", "inter", "inv", "key", "keys", "last",
    "like", "lj", "ljf", "load", "log", "lower", "lsq", "ltime", "ltrim", "mavg", "max",
    "maxs", "mcount", "md5", "mdev", "med", "meta", "min", "mins", "mmax", "mmin", "mmu",
    "mod", "msum", "neg", "next", "not", "null", "or", "over", "parse", "peach", "pj",
    "prd", "prds", "prev", "prior", "rand", "rank", "ratios", "raze", "read0", "read1",
    "reciprocal", "reval", "reverse", "rload", "rotate", "rsave", "rtrim", "save", "scan",
    "scov", "sdev", "select", "set", "setenv", "show", "signum", "sin", "sqrt", "ss", "ssr",
    "string", "sublist", "sum", "sums", "sv", "svar", "system", "tables", "tan", "til",
    "trim", "type", "uj", "ujf", "ungroup", "union", "update", "upper", "upsert", "value",
    "var", "view", "views", "vs", "wavg", "where", "while", "within", "wj", "wj1", "wsum",
    "xasc", "xbar", "xcol", "xcols", "xdesc", "xexp", "xgroup", "xkey", "xlog", "xprev",
    "xrank",
};

static int cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int q_name_reserved(const char *s)
{
    return bsearch(&s, q_reserved, sizeof q_reserved / sizeof q_reserved[0],
                   sizeof q_reserved[0], cmp) != NULL;
}
