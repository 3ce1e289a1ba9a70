/* qnames.h: names a q table may not take. */
#ifndef PCAP2KDB_QNAMES_H
#define PCAP2KDB_QNAMES_H

/* Whether s is a q keyword (.Q.res), a function or variable of the .q
 * namespace (count, first, flip, til, key...) or a q-SQL word (from, by):
 * a table of that name cannot be used in q-SQL, and `.Q.id` renames it. */
int q_name_reserved(const char *s);

#endif
