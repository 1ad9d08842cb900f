/* writesnoop: one event per completed write(2). */
#ifndef TOOLS_WRITESNOOP_H
#define TOOLS_WRITESNOOP_H

struct write_event {
	__u64 lat_ns;
	__s64 ret;        /* bytes written, or -errno */
	__u64 requested;  /* count argument */
	__u32 pid;
	__u32 tid;
	__s32 fd;
	__u8 comm[16];
};

#endif /* TOOLS_WRITESNOOP_H */
