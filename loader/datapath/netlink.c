/* The one netlink query libbpf lacks: how many tc filters sit under a parent. */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "datapath/tc.h"

static int count_filter(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);

	/* A dump also lists each filter chain's head, which has no handle. */
	if (nlh->nlmsg_type == RTM_NEWTFILTER && t->tcm_handle)
		(*(int *)data)++;
	return MNL_CB_OK;
}

int tc_filter_count(int ifindex, __u32 parent)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct tcmsg *t;
	unsigned int seq = time(NULL), portid;
	int n = 0, ret, count = 0;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = parent;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = MNL_CB_OK;
	while (ret > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		ret = mnl_cb_run(buf, n, seq, portid, count_filter, &count);
	if (n < 0) /* a failed receive ends the loop too: not a complete dump */
		ret = MNL_CB_ERROR;
	ret = ret < 0 ? -errno : count;
out:
	mnl_socket_close(nl);
	return ret;
}
